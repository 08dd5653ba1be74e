#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `file@PATH` target: lines go through a bounded in-memory queue to a
/// writer thread that appends them to the file, so a slow disk never stalls
/// an event loop (a full queue drops the line and counts it).
///
/// Rotation-aware: every `checkInterval` the writer compares the inode at
/// PATH with the open one. A rename (logrotate's `create` mode) makes it
/// reopen PATH, after a grace period if nothing was created there yet; the
/// lines written in between land in the renamed file, so none is lost. A
/// shrink (`copytruncate`) needs the `O_APPEND` the file is opened with, so
/// writing goes on at the new end, and one more step: the lines written
/// after logrotate's copy and before its truncate are in neither file. The
/// writer keeps the tail of what it wrote; when it notices the shrink and
/// PATH.1 ends with the bytes it wrote at that length, it appends the bytes
/// that came after it (the lost ones, at most `tailCapacity`) to PATH.
///
/// All paths are opened relative to a handle on the file's directory taken
/// at start-up, before any `chroot`, so reopening works inside the chroot.
///
/// With `rotate size`, the writer rotates by itself: PATH → PATH.1 (plain,
/// like logrotate's delaycompress), PATH.1 → PATH.2.lz4 compressed by a
/// separate thread, older segments shifted up to `keep`.
public final class FileLogSink: LogSink, @unchecked Sendable {
    public let path: String
    public let options: FileLogOptions
    private let directoryFD: Int32
    private let name: String
    private let dropped: LogCounter
    /// Lines dropped because the queue was full.
    public let overflow = LogCounter()
    /// Milliseconds between two checks of PATH.
    public var checkInterval = 250

    private let queue = LogCondition()
    // Guarded by `queue`:
    private var pending: [UInt8] = []
    private var pendingLines = 0
    private var stopping = false
    private var stopped = false
    private var flushRequests = 0
    private var writtenLines = 0

    // Writer thread only:
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var device: dev_t = 0
    private var size = 0
    private var missingSince: Int64?
    /// The last bytes written to the open file, ending at `size`: what a
    /// copytruncate may have lost between its copy and its truncate.
    private var tail: [UInt8] = []
    /// Bytes of `tail` kept (it grows to twice this, then drops the oldest).
    public var tailCapacity = 2 << 20
    private let compressing = LogCondition()
    private var compressionRunning = false

    /// Maximum bytes waiting in the queue, beside the line limit.
    public let maxPendingBytes: Int

    /// Opens the directory handle and the file, and starts the writer.
    /// Call before `chroot` and before dropping privileges.
    public init(path: String, options: FileLogOptions, dropped: LogCounter) throws {
        self.path = path
        self.options = options
        self.dropped = dropped
        self.maxPendingBytes = max(options.queueCapacity * 256, 1 << 20)
        let slash = path.lastIndex(of: "/")!
        let dir = path[..<slash].isEmpty ? "/" : String(path[..<slash])
        name = String(path[path.index(after: slash)...])
        #if os(Linux)
        let dirFlags = Int32(0o10000000) | O_DIRECTORY | O_CLOEXEC // O_PATH
        #else
        let dirFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC
        #endif
        directoryFD = open(dir, dirFlags)
        guard directoryFD >= 0 else {
            throw LogConfigError("cannot open log directory '\(dir)': \(String(cString: strerror(errno)))")
        }
        guard reopen() else {
            let e = errno
            _ = Glibc.close(directoryFD)
            throw LogConfigError("cannot open log file '\(path)': \(String(cString: strerror(e)))")
        }
        LogThread.start { [self] in run() }
    }

    deinit { _ = Glibc.close(directoryFD) }

    @discardableResult
    public func send(_ line: UnsafeRawBufferPointer) -> Bool {
        queue.lock()
        if stopping || pendingLines >= options.queueCapacity || pending.count + line.count > maxPendingBytes {
            queue.unlock()
            overflow.increment()
            dropped.increment()
            return false
        }
        let wake = pending.isEmpty
        pending.append(contentsOf: line)
        pendingLines += 1
        queue.unlock()
        if wake { queue.signal() }
        return true
    }

    /// Blocks until every line queued so far is written (tests, shutdown).
    public func flush() {
        queue.lock()
        flushRequests += 1
        queue.signal()
        while (!pending.isEmpty || flushRequests > 0) && !stopped { queue.wait(millis: 50) }
        queue.unlock()
    }

    /// Lines written to disk so far.
    public var linesWritten: Int {
        queue.lock(); defer { queue.unlock() }
        return writtenLines
    }

    /// Writes what is queued, stops the writer and closes the file.
    public func close() {
        queue.lock()
        stopping = true
        queue.signal()
        while !stopped { queue.wait(millis: 50) }
        queue.unlock()
        compressing.lock()
        while compressionRunning { compressing.wait(millis: 50) }
        compressing.unlock()
    }

    // MARK: Writer thread

    private func run() {
        var batch: [UInt8] = []
        var lastCheck = LogClock.nowMicros()
        while true {
            queue.lock()
            if pending.isEmpty && !stopping && flushRequests == 0 {
                queue.wait(millis: checkInterval)
            }
            swap(&batch, &pending)
            let lines = pendingLines
            pendingLines = 0
            let finishing = stopping
            let flushing = flushRequests
            queue.unlock()

            if !batch.isEmpty {
                writeBatch(batch)
                batch.removeAll(keepingCapacity: true)
            }
            let now = LogClock.nowMicros()
            if now - lastCheck >= Int64(checkInterval) * 1000 || flushing > 0 {
                checkPath(now: now)
                lastCheck = now
            }
            if let limit = options.rotateSize, size >= limit { rotate() }

            queue.lock()
            writtenLines += lines
            if flushing > 0 && pending.isEmpty { flushRequests = 0 }
            if finishing && pending.isEmpty {
                if fd >= 0 { _ = Glibc.close(fd); fd = -1 }
                stopped = true
                queue.broadcast()
                queue.unlock()
                return
            }
            queue.broadcast()
            queue.unlock()
        }
    }

    private func writeBatch(_ bytes: [UInt8]) {
        if fd < 0 && !reopen() { dropped.increment(); return }
        bytes.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = write(fd, p.baseAddress! + off, p.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return // disk full or I/O error: the rest is lost
                }
                off += n
            }
            size += p.count
        }
        tail.append(contentsOf: bytes)
        if tail.count > 2 * tailCapacity { tail.removeFirst(tail.count - tailCapacity) }
    }

    /// Opens PATH (creating it) in append mode and records its identity.
    @discardableResult
    private func reopen() -> Bool {
        let newFD = openat(directoryFD, name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard newFD >= 0 else { return false }
        var st = stat()
        _ = fstat(newFD, &st)
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = newFD
        inode = st.st_ino
        device = st.st_dev
        size = Int(st.st_size)
        missingSince = nil
        tail.removeAll(keepingCapacity: true)
        return true
    }

    /// Notices logrotate: PATH renamed (reopen), PATH truncated (follow).
    private func checkPath(now: Int64) {
        var st = stat()
        if fstatat(directoryFD, name, &st, 0) != 0 {
            // Renamed and not recreated yet: give logrotate's `create` a
            // moment, keep writing to the renamed file meanwhile.
            if let since = missingSince {
                if now - since >= Int64(checkInterval) * 1000 { reopen() }
            } else {
                missingSince = now
            }
            return
        }
        missingSince = nil
        if st.st_ino != inode || st.st_dev != device {
            reopen()
        } else if Int(st.st_size) < size {
            // copytruncate: O_APPEND went on at the new end.
            recoverAfterTruncation(currentSize: Int(st.st_size))
        }
    }

    /// After a truncation of PATH noticed while it holds `currentSize` bytes
    /// (all written by us since the truncate, O_APPEND), puts back the bytes
    /// written between the end of logrotate's copy (PATH.1) and the truncate.
    private func recoverAfterTruncation(currentSize: Int) {
        let cut = size - currentSize            // our offset when truncated
        let tailStart = size - tail.count
        size = currentSize
        let kept = tail
        tail.removeAll(keepingCapacity: true)
        var st = stat()
        guard cut > 0, fstatat(directoryFD, segmentName(1, compressed: false), &st, 0) == 0 else { return }
        let copied = Int(st.st_size)
        guard copied < cut, copied > tailStart else { return }
        // PATH.1 must be the copy of what we wrote: its last bytes are ours.
        let check = min(4096, copied - tailStart)
        let f = openat(directoryFD, segmentName(1, compressed: false), O_RDONLY | O_CLOEXEC)
        guard f >= 0 else { return }
        var buf = [UInt8](repeating: 0, count: check)
        let n = buf.withUnsafeMutableBytes { pread(f, $0.baseAddress, check, off_t(copied - check)) }
        _ = Glibc.close(f)
        let from = copied - check - tailStart
        guard n == check, buf[...] == kept[from..<from + check] else { return }
        let lost = Array(kept[(copied - tailStart)..<(cut - tailStart)])
        writeBatch(lost)
    }

    // MARK: Self-rotation

    private func segmentName(_ i: Int, compressed: Bool) -> String {
        compressed ? "\(name).\(i).lz4" : "\(name).\(i)"
    }

    private func rotate() {
        // One compression at a time: the previous one must have finished
        // before PATH.2 is reused.
        compressing.lock()
        while compressionRunning { compressing.wait(millis: 50) }
        compressing.unlock()

        let keep = options.keep
        let lz4 = options.compressLZ4
        _ = unlinkat(directoryFD, segmentName(keep, compressed: lz4 && keep >= 2), 0)
        if keep >= 2 {
            var i = keep - 1
            while i >= 2 {
                _ = renameat(directoryFD, segmentName(i, compressed: lz4), directoryFD, segmentName(i + 1, compressed: lz4))
                i -= 1
            }
            _ = renameat(directoryFD, segmentName(1, compressed: false), directoryFD, segmentName(2, compressed: false))
        }
        _ = renameat(directoryFD, name, directoryFD, segmentName(1, compressed: false))
        reopen()

        if keep >= 2 && lz4 {
            var st = stat()
            guard fstatat(directoryFD, segmentName(2, compressed: false), &st, 0) == 0 else { return }
            compressing.lock()
            compressionRunning = true
            compressing.unlock()
            let dir = directoryFD
            let source = segmentName(2, compressed: false)
            let destination = segmentName(2, compressed: true)
            LogThread.start { [self] in
                LZ4FileCompressor.compress(directory: dir, source: source, destination: destination)
                compressing.lock()
                compressionRunning = false
                compressing.broadcast()
                compressing.unlock()
            }
        }
    }

    /// Waits for a running compression (tests).
    public func waitForCompression() {
        compressing.lock()
        while compressionRunning { compressing.wait(millis: 20) }
        compressing.unlock()
    }
}
