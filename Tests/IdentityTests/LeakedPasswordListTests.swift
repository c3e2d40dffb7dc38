import Basics
import Cryptography
import Foundation
import Identity
import TestSupport
import Testing

/// A fresh folder per test, removed afterwards.
private final class Folder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("leaked-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    func file(_ name: String, _ text: String) throws -> URL { try file(name, Array(text.utf8)) }

    var list: URL { url.appendingPathComponent("list.bin") }
}

private func sha1Hex(_ text: String) -> String { Hex.encode(Digest.sha1(Array(text.utf8))) }

private func header(count: UInt64) -> [UInt8] {
    Array("LAPWLST1".utf8) + withUnsafeBytes(of: count.bigEndian) { Array($0) }
}

private func key(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

/// The list shipped in share/leaked-passwords, found relative to this file.
private let shippedList = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("share/leaked-passwords/common-passwords.txt")

/// The leaked-password list file: building, merging, lookups and corrupt files.
struct LeakedPasswordListTests {
    @Test func buildsFromPlainPasswordsAndHashesAndFindsThem() throws {
        let folder = try Folder()
        let plain = try folder.file("plain.txt", "password\r\nletmein\n\n   \r\n")
        let hashes = try folder.file(
            "hashes.txt",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3861493\n\(sha1Hex("hunter2"))\n\(sha1Hex("dragon").uppercased()):12"
        )
        let entries = try LeakedPasswordList.build(inputs: [plain, hashes], merging: nil, output: folder.list)
        #expect(entries == 4)  // "password" appears twice
        let list = try LeakedPasswordList(contentsOf: folder.list)
        #expect(list.count == 4)
        for leaked in ["password", "letmein", "hunter2", "dragon"] { #expect(list.isLeaked(leaked)) }
        for fresh in ["password1", "letmein ", "Hunter3", "", "correct horse battery staple"] {
            #expect(!list.isLeaked(fresh))
        }
    }

    @Test func fileHasTheDocumentedLayout() throws {
        let folder = try Folder()
        let input = try folder.file("in.txt", "password\n")
        try LeakedPasswordList.build(inputs: [input], merging: nil, output: folder.list)
        let bytes = try [UInt8](Data(contentsOf: folder.list))
        #expect(bytes.count == 24)
        #expect(Array(bytes[0..<8]) == Array("LAPWLST1".utf8))
        #expect(Array(bytes[8..<16]) == [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(Array(bytes[16..<24]) == Array(Digest.sha1(Array("password".utf8)).prefix(8)))
    }

    @Test func upperCaseVariantsOfALeakedPasswordAreLeaked() throws {
        let folder = try Folder()
        let input = try folder.file("in.txt", "letmein\n")
        try LeakedPasswordList.build(inputs: [input], merging: nil, output: folder.list)
        let list = try LeakedPasswordList(contentsOf: folder.list)
        #expect(list.isLeaked("LetMeIn"))
        #expect(list.isLeaked("LETMEIN"))
    }

    @Test func mixedCaseEntryMatchesOnlyItself() throws {
        let folder = try Folder()
        let input = try folder.file("in.txt", "SeCrEt\n")
        try LeakedPasswordList.build(inputs: [input], merging: nil, output: folder.list)
        let list = try LeakedPasswordList(contentsOf: folder.list)
        #expect(list.isLeaked("SeCrEt"))
        #expect(!list.isLeaked("secret"))
    }

    @Test func fullwidthFormsMatchTheirNFKCForm() throws {
        let folder = try Folder()
        let input = try folder.file("in.txt", "ｄｒａｇｏｎ\nmonkey\n")
        try LeakedPasswordList.build(inputs: [input], merging: nil, output: folder.list)
        let list = try LeakedPasswordList(contentsOf: folder.list)
        #expect(list.isLeaked("dragon"))
        #expect(list.isLeaked("ｍｏｎｋｅｙ"))
        #expect(list.isLeaked("ＭＯＮＫＥＹ"))
    }

    @Test func invalidUTF8LinesAreSkippedAndCounted() throws {
        let folder = try Folder()
        let input = try folder.file(
            "in.txt", [0xFF, 0xFE, 0x0A] + Array("ok-password\n".utf8) + [0xC3, 0x28, 0x0D, 0x0A])
        let report = try LeakedPasswordList.buildWithReport(inputs: [input], merging: nil, output: folder.list)
        #expect(report.entries == 1)
        #expect(report.invalidLines == 2)
        #expect(try LeakedPasswordList(contentsOf: folder.list).isLeaked("ok-password"))
    }

    @Test func linesThatOnlyLookLikeHashesArePlainPasswords() throws {
        let folder = try Folder()
        let hash = sha1Hex("password")
        let lines = ["\(hash):abc", String(hash.dropLast()), "\(hash)x", "\(hash):", String(hash.dropLast()) + "g"]
        let input = try folder.file("in.txt", lines.joined(separator: "\n"))
        #expect(try LeakedPasswordList.build(inputs: [input], merging: nil, output: folder.list) == 5)
        let list = try LeakedPasswordList(contentsOf: folder.list)
        #expect(!list.isLeaked("password"))
        for line in lines { #expect(list.isLeaked(line)) }
    }

    @Test func mergingKeepsExistingEntriesAndDropsDuplicates() throws {
        let folder = try Folder()
        let first = try folder.file("a.txt", "alpha-one\nshared\n")
        let second = try folder.file("b.txt", "beta-two\nshared\n")
        let old = folder.url.appendingPathComponent("old.bin")
        #expect(try LeakedPasswordList.build(inputs: [first], merging: nil, output: old) == 2)
        #expect(try LeakedPasswordList.build(inputs: [second], merging: old, output: folder.list) == 3)
        let list = try LeakedPasswordList(contentsOf: folder.list)
        for leaked in ["alpha-one", "beta-two", "shared"] { #expect(list.isLeaked(leaked)) }
        #expect(try LeakedPasswordList(contentsOf: old).count == 2)
    }

    @Test func mergingIntoTheSameFileReplacesItAtomically() throws {
        let folder = try Folder()
        let first = try folder.file("a.txt", "alpha-one\n")
        let second = try folder.file("b.txt", "beta-two\n")
        try LeakedPasswordList.build(inputs: [first], merging: nil, output: folder.list)
        let before = try LeakedPasswordList(contentsOf: folder.list)
        #expect(try LeakedPasswordList.build(inputs: [second], merging: folder.list, output: folder.list) == 2)
        // A reader that mapped the old file keeps a consistent view of it.
        #expect(before.count == 1 && before.isLeaked("alpha-one") && !before.isLeaked("beta-two"))
        let after = try LeakedPasswordList(contentsOf: folder.list)
        #expect(after.isLeaked("alpha-one") && after.isLeaked("beta-two"))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(names == ["a.txt", "b.txt", "list.bin"])  // no temporary file left behind
    }

    @Test func emptyInputsBuildAnEmptyList() throws {
        let folder = try Folder()
        let input = try folder.file("in.txt", "\n\r\n")
        #expect(try LeakedPasswordList.build(inputs: [input], merging: nil, output: folder.list) == 0)
        let list = try LeakedPasswordList(contentsOf: folder.list)
        #expect(list.count == 0 && !list.isLeaked("password"))
    }

    @Test func buildFailsClearlyOnMissingInputOrUnwritableOutput() throws {
        let folder = try Folder()
        let missing = folder.url.appendingPathComponent("missing.txt")
        #expect(throws: LeakedPasswordListError.self) {
            try LeakedPasswordList.build(inputs: [missing], merging: nil, output: folder.list)
        }
        let input = try folder.file("in.txt", "password\n")
        let nowhere = folder.url.appendingPathComponent("no/such/folder/list.bin")
        #expect(throws: LeakedPasswordListError.self) {
            try LeakedPasswordList.build(inputs: [input], merging: nil, output: nowhere)
        }
        let corrupt = try folder.file("corrupt.bin", "not a list")
        #expect(throws: LeakedPasswordListError.self) {
            try LeakedPasswordList.build(inputs: [input], merging: corrupt, output: folder.list)
        }
    }

    @Test func corruptFilesAreRejectedWithoutCrashing() throws {
        let folder = try Folder()
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("short header", Array("LAPWLST1".utf8)),
            ("wrong magic", Array("LAPWLST2".utf8) + key(0)),
            ("text", Array("123456\npassword\nqwerty\n".utf8)),
            ("missing keys", header(count: 3) + key(1) + key(2)),
            ("extra bytes", header(count: 1) + key(1) + [0]),
            ("partial key", header(count: 1) + [0, 0, 0]),
            ("huge count", header(count: .max) + key(1)),
            ("count too small", header(count: 1) + key(1) + key(2)),
        ]
        for (name, bytes) in cases {
            let file = try folder.file(name, bytes)
            #expect(throws: LeakedPasswordListError.self, "\(name)") { try LeakedPasswordList(contentsOf: file) }
        }
        #expect(throws: LeakedPasswordListError.notAList(path: folder.url.appendingPathComponent("wrong magic").path)) {
            try LeakedPasswordList(contentsOf: folder.url.appendingPathComponent("wrong magic"))
        }
        let missing = folder.url.appendingPathComponent("missing.bin")
        #expect(throws: LeakedPasswordListError.self) { try LeakedPasswordList(contentsOf: missing) }
    }

    @Test func verifyOrderFindsUnsortedKeys() throws {
        let folder = try Folder()
        let unsorted = try folder.file("unsorted.bin", header(count: 3) + key(1) + key(3) + key(2))
        #expect(throws: LeakedPasswordListError.unordered(entry: 2)) {
            try LeakedPasswordList(contentsOf: unsorted).verifyOrder()
        }
        let duplicated = try folder.file("duplicated.bin", header(count: 2) + key(5) + key(5))
        #expect(throws: LeakedPasswordListError.unordered(entry: 1)) {
            try LeakedPasswordList(contentsOf: duplicated).verifyOrder()
        }
        let input = try folder.file("in.txt", "a\nb\nc\nd\n")
        try LeakedPasswordList.build(inputs: [input], merging: nil, output: folder.list)
        try LeakedPasswordList(contentsOf: folder.list).verifyOrder()
    }

    @Test func emptyListKnowsNothing() {
        #expect(!EmptyLeakedPasswordList().isLeaked("123456"))
    }

    @Test func shippedCommonPasswordsAreRejectedByThePolicy() throws {
        let folder = try Folder()
        let entries = try LeakedPasswordList.build(inputs: [shippedList], merging: nil, output: folder.list)
        #expect(entries >= 10_000)
        let list = try LeakedPasswordList(contentsOf: folder.list)
        try list.verifyOrder()
        for common in ["123456", "password", "qwerty", "iloveyou", "Password1", "QWERTY123"] {
            #expect(list.isLeaked(common))
        }
        let policy = PasswordPolicy()
        let verdict = policy.violations(of: "Pe#5gz29ptzmse", email: "a@b.c", firstName: "", lastName: "", leaked: list)
        #expect(verdict == [.leaked])
        #expect(
            policy.violations(of: "Kq7#mZ2!wT9x", email: "a@b.c", firstName: "", lastName: "", leaked: list).isEmpty)
    }

    @Test func lookupTimeIsReported() throws {
        // Prints a figure for the record; timing is never a pass/fail condition.
        let folder = try Folder()
        let random = SeededRandom(seed: 42)
        let lines = (0..<100_000).map { _ in Hex.encode(random.bytes(20)) + ":1" }
        let input = try folder.file("in.txt", lines.joined(separator: "\n"))
        #expect(try LeakedPasswordList.build(inputs: [input], merging: nil, output: folder.list) == 100_000)
        let list = try LeakedPasswordList(contentsOf: folder.list)
        let clock = ContinuousClock()
        var hits = 0
        let elapsed = clock.measure {
            for index in 0..<10_000 where list.isLeaked("candidate-\(index)") { hits += 1 }
        }
        #expect(hits == 0)
        print("10,000 lookups in a 100,000-entry list: \(elapsed) (\(elapsed / 10_000) each)")
    }
}
