import CLoader
import Foundation
import Testing

/// The loader behind libcurl and libxml2 (loaded on first use): its failure paths cannot be reached through those
/// libraries on a system that has them, so they are tried here with libraries that do and do not exist.
@Suite(.serialized) struct LibraryLoaderTests {
    nonisolated(unsafe) static var readyCalls = 0

    /// Loads `soname` with `names` through a fresh `la_library` twice; returns both outcomes and what the first resolved.
    func load(
        _ soname: String, _ names: [String],
        ready: (@convention(c) (UnsafePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<CChar>?, Int) -> Int32)? = nil
    ) -> (first: String?, second: String?, functions: [UnsafeMutableRawPointer?]) {
        let cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        var namePointers = cNames.map { UnsafePointer($0) }
        var functions = [UnsafeMutableRawPointer?](repeating: nil, count: names.count)
        return "test".withCString { label in
            soname.withCString { soname in
                namePointers.withUnsafeMutableBufferPointer { namesBuffer in
                    functions.withUnsafeMutableBufferPointer { slots in
                        // A zeroed pthread mutex is glibc's PTHREAD_MUTEX_INITIALIZER.
                        var library = la_library()
                        library.label = label
                        library.soname = soname
                        library.names = UnsafePointer(namesBuffer.baseAddress)
                        library.functions = slots.baseAddress
                        library.count = names.count
                        library.ready = ready
                        let first = la_library_load(&library).map { String(cString: $0) }
                        let second = la_library_load(&library).map { String(cString: $0) }
                        return (first, second, Array(slots))
                    }
                }
            }
        }
    }

    @Test func aMissingLibraryIsNamedWithTheLoadersReason() {
        let outcome = load("libnot-a-library-here.so.9", ["anything"])
        #expect(outcome.first?.hasPrefix("test could not be loaded: libnot-a-library-here.so.9") == true)
        #expect(outcome.second == outcome.first)
    }

    @Test func aMissingFunctionIsNamed() {
        let outcome = load("libc.so.6", ["strlen", "no_such_function_in_libc"])
        #expect(outcome.first == "test has no no_such_function_in_libc")
        #expect(outcome.second == outcome.first)
    }

    @Test func resolvedFunctionsWorkAndReadyRunsOnceWhateverItSays() throws {
        Self.readyCalls = 0
        let loaded = load("libc.so.6", ["strlen"]) { _, _, _ in
            LibraryLoaderTests.readyCalls += 1
            return 1
        }
        #expect(loaded.first == nil && loaded.second == nil && Self.readyCalls == 1)
        let strlen = unsafeBitCast(try #require(loaded.functions[0]), to: (@convention(c) (UnsafePointer<CChar>) -> Int).self)
        #expect(strlen("four") == 4)

        Self.readyCalls = 0
        let refused = load("libc.so.6", ["strlen"]) { _, error, size in
            LibraryLoaderTests.readyCalls += 1
            _ = "initialisation failed".withCString { strncpy(error!, $0, size) }
            return 0
        }
        #expect(refused.first == "initialisation failed" && refused.second == refused.first && Self.readyCalls == 1)
    }
}
