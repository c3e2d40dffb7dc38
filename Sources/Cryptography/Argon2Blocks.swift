import Foundation

/// The memory Argon2 works in, kept between hashes. A fresh 19 MiB mapping per hash costs thousands of page faults
/// and zeroed pages (about a fifth of a hash's time, measured); kept blocks cost resident memory, so blocks unused for
/// a while are handed back to the kernel (`releaseIdle`) while their address range stays reserved for the next burst.
final class Argon2Blocks: @unchecked Sendable {
    struct Block {
        let address: UnsafeMutableRawPointer
        let size: Int
    }

    private struct Kept {
        let block: Block
        var lastUsed: ContinuousClock.Instant
        var resident: Bool
    }

    private let lock = NSLock()
    private var free: [Kept] = []
    /// Blocks of this size are kept; a larger one (an old hash with more memory) is mapped for one use.
    private let keptSize: Int

    init(keptSize: Int) {
        self.keptSize = keptSize
    }

    /// A block of at least `size` bytes, or nil if the system has no memory for one.
    func take(size: Int) -> Block? {
        if size <= keptSize, let kept = lock.withLock({ free.popLast() }) { return kept.block }
        let length = max(size, keptSize)
        guard let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), address != MAP_FAILED
        else { return nil }
        // Huge pages where the system allows them on request: a few faults instead of one per 4 KiB page.
        _ = madvise(address, length, MADV_HUGEPAGE)
        return Block(address: address, size: length)
    }

    func put(_ block: Block) {
        guard block.size == keptSize else {
            munmap(block.address, block.size)
            return
        }
        lock.withLock { free.append(Kept(block: block, lastUsed: .now, resident: true)) }
    }

    /// Returns the pages of blocks unused for `idle` to the kernel; returns how many blocks were released.
    @discardableResult
    func releaseIdle(unusedFor idle: Duration) -> Int {
        let now = ContinuousClock.now
        return lock.withLock {
            var released = 0
            for index in free.indices where free[index].resident && now - free[index].lastUsed >= idle {
                _ = madvise(free[index].block.address, free[index].block.size, MADV_DONTNEED)
                free[index].resident = false
                released += 1
            }
            return released
        }
    }
}
