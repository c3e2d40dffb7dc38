/* Login Appliance — progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  // "Generate other sample passwords": replace the examples in place.
  function refreshSamples(link) {
    var scope = link.closest(".rules") || document;
    var list = scope.querySelector("[data-samples]") || document.querySelector("[data-samples]");
    if (!list) { return Promise.resolve(); }
    return getJSON("/password/samples").then(function (data) {
      if (!data || !Array.isArray(data.samples)) { return; }
      var fragment = document.createDocumentFragment();
      data.samples.forEach(function (sample) {
        var item = document.createElement("li");
        var code = document.createElement("code");
        code.textContent = String(sample);
        item.appendChild(code);
        fragment.appendChild(item);
      });
      list.replaceChildren(fragment);
    });
  }

  // "Show another code": a fresh CAPTCHA without losing what was typed in the rest of the form.
  function refreshCaptcha(link) {
    var group = link.closest(".form-group") || document;
    return getJSON("/captcha/new").then(function (data) {
      if (!data || !data.id) { return; }
      var image = group.querySelector(".captcha__image");
      var id = group.querySelector('input[name="captcha_id"]');
      var audio = group.querySelector("[data-captcha-audio]") || group.querySelector('a[href^="/captcha/audio"]');
      var input = group.querySelector('input[name="captcha"]');
      if (image && data.image) { image.src = data.image; }
      if (id) { id.value = data.id; }
      if (audio && data.audio) { audio.href = data.audio; }
      if (input) { input.value = ""; input.focus(); }
    });
  }

  function onClick(selector, handler) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(selector);
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
      event.preventDefault();
      handler(link).catch(function () {
        // The server could not answer: fall back to following the link like without JavaScript.
        window.location.href = link.href;
      });
    });
  }

  onClick("a[data-samples-refresh]", refreshSamples);
  onClick("a[data-captcha-refresh]", refreshCaptcha);

  // Codes typed in blocks: a paste of the whole code fills every block, and a full block moves on to the next.
  function codeBlocks(container) {
    var inputs = Array.prototype.slice.call(container.querySelectorAll("input"));
    inputs.forEach(function (input, index) {
      input.addEventListener("paste", function (event) {
        var text = (event.clipboardData || window.clipboardData).getData("text").replace(/[^0-9A-Za-z]/g, "");
        if (text.length <= (input.maxLength > 0 ? input.maxLength : text.length)) { return; }
        event.preventDefault();
        for (var i = index; i < inputs.length && text.length > 0; i++) {
          var size = inputs[i].maxLength > 0 ? inputs[i].maxLength : text.length;
          inputs[i].value = text.slice(0, size);
          text = text.slice(size);
        }
        inputs[Math.min(inputs.length - 1, index + 1)].focus();
      });
      input.addEventListener("input", function () {
        if (input.maxLength > 0 && input.value.length >= input.maxLength && index + 1 < inputs.length) { inputs[index + 1].focus(); }
      });
    });
  }

  // The sign-in form shows only the fields of the chosen verification method (without JavaScript, all of them).
  function methodFields(form) {
    var radios = form.querySelectorAll("input[name=method][type=radio]");
    if (radios.length === 0) { return; }
    function update() {
      var checked = form.querySelector("input[name=method]:checked");
      var method = checked ? checked.value : "";
      form.querySelectorAll("[data-methods]").forEach(function (group) {
        group.hidden = group.getAttribute("data-methods").split(" ").indexOf(method) < 0;
      });
    }
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function init() {
    document.querySelectorAll("[data-code-blocks]").forEach(codeBlocks);
    document.querySelectorAll("form").forEach(methodFields);
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
    // A CAS service asked for its ticket by POST (method=POST): send the form; its button stays as the fallback.
    var handOver = document.querySelector("form[data-auto-submit]");
    if (handOver) { handOver.submit(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
