import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program with bytes on its stdin and a deadline. Spawned directly (not with Foundation's
/// Process, which on Linux notices an exit only once every grandchild holding its status socket has
/// gone too) in a process group of its own, so a timeout kills the program and all it started.
enum Subprocess {
    /// How the run ended.
    enum Outcome: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case failedToStart(Int32)
        /// Someone else reaped the child (SIGCHLD ignored, a waitpid(-1) elsewhere).
        case statusLost(Int32)
    }

    /// Held from creating the pipe until it is marked close-on-exec and the program is spawned, so
    /// that a concurrent run cannot inherit our write end and keep this program's stdin from ever
    /// reaching end of file.
    private static let spawnLock = NSLock()

    static func run(program: String, arguments: [String], input: [UInt8], timeout: TimeInterval) -> Outcome {
        spawnLock.lock()
        let started = spawn(program: program, arguments: arguments)
        spawnLock.unlock()
        let pid: pid_t
        switch started {
        case .success(let (child, writeEnd)):
            pid = child
            Thread.detachNewThread { feed(input, to: writeEnd) }
        case .failure(let error):
            return .failedToStart(error.code)
        }
        // Monotonic, so a wall-clock step cannot stretch or cut the deadline.
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeout) * 1e9)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0, errno != EINTR { return .statusLost(errno) }
            if DispatchTime.now().uptimeNanoseconds >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .timedOut
            }
            usleep(10_000)
        }
        let low = status & 0x7F
        return low == 0 ? .exited((status >> 8) & 0xFF) : .signalled(low)
    }

    private struct SpawnError: Error {
        let code: Int32
    }

    /// Starts the program with a pipe on stdin, /dev/null on stdout and stderr, in its own process
    /// group, with default signal handling and none of our other descriptors.
    private static func spawn(program: String, arguments: [String]) -> Result<(pid_t, Int32), SpawnError> {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return .failure(SpawnError(code: errno)) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for fd in inheritableDescriptors() where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        close(readEnd)
        guard spawned == 0 else {
            close(writeEnd)
            return .failure(SpawnError(code: spawned))
        }
        return .success((pid, writeEnd))
    }

    /// Open descriptors without close-on-exec (a database file, a listening socket) that the
    /// program must not inherit.
    private static func inheritableDescriptors() -> [Int32] {
        #if os(Linux)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            let candidates = names.compactMap { Int32($0) }
        #else
            let candidates = Array(Int32(3)..<Int32(min(getdtablesize(), 4096)))
        #endif
        return candidates.filter { fd in
            let flags = fcntl(fd, F_GETFD)
            return flags >= 0 && flags & FD_CLOEXEC == 0
        }
    }

    /// A program that exits without reading its input would raise SIGPIPE and kill the whole
    /// server; blocked on this short-lived thread it becomes an EPIPE error, and the pending
    /// signal dies with the thread.
    private static func feed(_ bytes: [UInt8], to fd: Int32) {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            written += count
        }
    }
}
