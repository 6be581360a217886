import Glibc

/// The argument of an ioctl: nothing, a small integer passed by value, or a pointer to a struct.
enum KVMArgument {
    case none
    case value(Int32)
    case pointer(UnsafeMutableRawPointer)
}

/// The one place that calls `ioctl(2)`.
///
/// Every KVM call goes through `perform`, which retries `EINTR` (a signal arrived before the kernel
/// did anything; KVM ioctls other than `KVM_RUN` are restartable) and turns failures into
/// `KVMError.ioctl` carrying the request and errno. `KVM_RUN` uses `performRun`, which hands `EINTR`
/// and `EAGAIN` back as values because for it they are exits, not errors.
enum KVMCall {
    /// Issues `request` on `fd`, retrying EINTR, and returns the ioctl's non-negative result.
    /// - Throws: `KVMError.ioctl` with the errno.
    @discardableResult
    static func perform(
        _ request: KVMRequest, fd: Int32, _ argument: KVMArgument = .none
    ) throws
        -> Int32
    {
        while true {
            let result = raw(fd, request.ioctl.number, argument)
            if result >= 0 { return result }
            let error = errno
            if error == EINTR { continue }
            throw KVMError.ioctl(request, errno: error)
        }
    }

    /// The outcome of one `KVM_RUN`.
    enum RunOutcome: Equatable {
        /// The kernel filled in `kvm_run`.
        case exited
        /// A signal or `immediate_exit` ended the run before or during guest entry (EINTR/EAGAIN).
        case interrupted
    }

    /// Issues `KVM_RUN` once. EINTR and EAGAIN are reported as `.interrupted`, never retried: the
    /// caller asked to be interrupted (a signal or `immediate_exit`) and must get control back.
    static func performRun(_ request: KVMRequest, fd: Int32) throws -> RunOutcome {
        if raw(fd, request.ioctl.number, .none) >= 0 { return .exited }
        let error = errno
        if error == EINTR || error == EAGAIN { return .interrupted }
        throw KVMError.ioctl(request, errno: error)
    }

    /// The only `ioctl` call sites in the codebase. Glibc's Swift overlay splits the C variadic into
    /// an integer form and a pointer form, hence two calls.
    private static func raw(_ fd: Int32, _ number: UInt, _ argument: KVMArgument) -> Int32 {
        switch argument {
        case .none: return ioctl(fd, number, 0)
        case .value(let value): return ioctl(fd, number, value)
        // SAFETY: callers pass a pointer to a live buffer of the size the request number encodes
        // (they build it inside a `withUnsafe...` scope that outlives this call).
        case .pointer(let pointer): return ioctl(fd, number, pointer)
        }
    }
}

extension KVMCall {
    /// Issues `request` with a pointer to `value`, which the kernel may read and write.
    @discardableResult
    static func perform<T>(_ request: KVMRequest, fd: Int32, pointingTo value: inout T) throws -> Int32 {
        // SAFETY: the pointer is valid for the closure's duration, which spans the ioctl, and T is a
        // plain C struct or integer of the size the request number encodes.
        try withUnsafeMutableBytes(of: &value) { bytes in
            try perform(request, fd: fd, .pointer(bytes.baseAddress!))
        }
    }
}
