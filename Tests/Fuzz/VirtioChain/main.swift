// Fuzz target: the split-virtqueue descriptor-chain walker (Virtqueue.validate, popChain, walk, pushUsed;
// virtio 1.2 §2.7) over a guest RAM image and a queue configuration taken from the input.
//
// Input (little-endian): QueueNum u16, then the descriptor table, available ring and used ring as u16
// offsets from the RAM base, then lastAvailIndex u16; the remaining bytes are the first bytes of guest
// RAM region A (the rest of it zero). Guest RAM is region A (8 KiB at 0x4000_0000) and region B (4 KiB
// at 0x4001_0000, always zero) with a gap between, so buffers straddling or missing RAM are reachable.
//
// Known answers, not just "did not crash": a setup is accepted exactly when QueueNum is a power of 2 up
// to 256 and the areas are aligned and inside RAM; then the queue is drained with popChain and each
// outcome must equal the one computed by an independent model of §2.7.5 over the image (the exact chain,
// or the exact error); a refused chain consumes nothing; every accepted buffer of non-zero length lies in
// one region of RAM, readable ones come before writable ones, a direct table yields at most QueueNum
// descriptors and an indirect one at most its own entries; gather and withIOVecs accept every accepted
// chain and gather returns the model's bytes; pushUsed writes exactly its element and used.idx and
// nothing else in RAM.
import Glibc

@testable import VMM

let ramA: UInt64 = 0x4000_0000
let sizeA = 0x2000
let ramB: UInt64 = 0x4001_0000
let sizeB = 0x1000
let headerSize = 10
let zeros = [UInt8](repeating: 0, count: sizeB)

nonisolated(unsafe) let memory: GuestMemory = {
    guard let memory = try? GuestMemory(layout: [(ramA, sizeA), (ramB, sizeB)]) else {
        preconditionFailure("cannot map the fuzz target's guest RAM")
    }
    return memory
}()

/// The model's view of guest RAM: region A is `image`, region B is zeros.
struct Model {
    var image: [UInt8]

    func inRAM(_ address: UInt64, _ length: UInt64) -> Bool {
        for (start, size) in [(ramA, UInt64(sizeA)), (ramB, UInt64(sizeB))] where address >= start {
            let offset = address - start
            if offset <= size && length <= size - offset { return true }
        }
        return false
    }

    func load(_ address: UInt64, _ count: Int) -> UInt64? {
        guard inRAM(address, UInt64(count)) else { return nil }
        guard address < ramB else { return 0 }
        let start = Int(address - ramA)
        return (0..<count).reduce(0) { $0 | UInt64(image[start + $1]) << (8 * $1) }
    }

    func bytes(_ buffer: GuestBuffer, count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        guard buffer.address < ramB else { return [UInt8](repeating: 0, count: count) }
        let start = Int(buffer.address - ramA)
        return Array(image[start..<start + count])
    }

    mutating func store(_ value: UInt64, _ count: Int, at address: UInt64) {
        let start = Int(address - ramA)
        for i in 0..<count { image[start + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    /// §2.7.5 as the walker documents it, written out separately: a table of `entries` descriptors,
    /// at most `entries` visited, one level of indirection, buffers checked against RAM in order.
    func walk(table start: UInt64, entries size: UInt32, head: UInt16) -> Result<DescriptorChain, VirtqueueError> {
        var chain = DescriptorChain(head: head)
        var (table, entries, index, seen, nested) = (start, size, head, UInt32(0), false)
        var total: UInt64 = 0
        while true {
            if UInt32(index) >= entries {
                return .failure(.descriptorIndexOutOfRange(index: index, tableSize: entries))
            }
            if seen >= entries { return .failure(.chainLoop(limit: entries)) }
            seen += 1
            let entry = table + 16 * UInt64(index)
            let what = nested ? "an indirect descriptor" : "a descriptor"
            func field(_ offset: UInt64, _ width: Int) -> Result<UInt64, VirtqueueError> {
                guard let value = load(entry + offset, width) else {
                    return .failure(.outsideRAM(what: what, address: entry + offset, length: UInt64(width)))
                }
                return .success(value)
            }
            let address: UInt64
            let length: UInt32
            let flags: UInt16
            let next: UInt16
            switch (field(0, 8), field(8, 4), field(12, 2), field(14, 2)) {
            case (.failure(let error), _, _, _), (_, .failure(let error), _, _), (_, _, .failure(let error), _),
                (_, _, _, .failure(let error)):
                return .failure(error)
            case (.success(let a), .success(let l), .success(let f), .success(let n)):
                (address, length, flags, next) = (a, UInt32(l), UInt16(f), UInt16(n))
            }
            if flags & 4 != 0 {
                if nested { return .failure(.nestedIndirect) }
                if flags & 1 != 0 { return .failure(.indirectWithNext) }
                if length == 0 || length % 16 != 0 || length > 16 * 1024 {
                    return .failure(.indirectTableLength(length))
                }
                if !inRAM(address, UInt64(length)) {
                    return .failure(.outsideRAM(what: "an indirect table", address: address, length: UInt64(length)))
                }
                (table, entries, index, seen, nested) = (address, length / 16, 0, 0, true)
                continue
            }
            if address.addingReportingOverflow(UInt64(length)).overflow {
                return .failure(.lengthOverflow(address: address, length: length))
            }
            if length != 0 && !inRAM(address, UInt64(length)) {
                return .failure(.outsideRAM(what: "a buffer", address: address, length: UInt64(length)))
            }
            total += UInt64(length)
            if total > UInt64(UInt32.max) { return .failure(.lengthOverflow(address: address, length: length)) }
            if flags & 2 != 0 {
                chain.writable.append(GuestBuffer(address: address, length: length))
            } else {
                if !chain.writable.isEmpty { return .failure(.readableAfterWritable) }
                chain.readable.append(GuestBuffer(address: address, length: length))
            }
            if flags & 1 == 0 { return .success(chain) }
            index = next
        }
    }
}

func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }

/// Whether `validate` must accept this setup (§2.7: sizes and alignments; every area inside RAM).
func setupIsValid(_ q: Virtqueue, _ model: Model) -> Bool {
    let n = UInt64(q.size)
    guard n > 0, n <= 256, n & (n - 1) == 0 else { return false }
    return q.descriptorTable % 16 == 0 && q.driverArea % 2 == 0 && q.deviceArea % 4 == 0
        && model.inRAM(q.descriptorTable, 16 * n) && model.inRAM(q.driverArea, 6 + 2 * n)
        && model.inRAM(q.deviceArea, 6 + 8 * n)
}

/// The promises every accepted chain keeps, checked without the model.
func checkAccepted(_ chain: DescriptorChain, _ q: Virtqueue, _ model: Model) {
    for buffer in chain.readable + chain.writable where buffer.length > 0 {
        precondition(
            memory.containsRange(buffer.address, length: UInt64(buffer.length))
                && model.inRAM(buffer.address, UInt64(buffer.length)), "accepted a buffer outside guest RAM")
    }
    let count = chain.readable.count + chain.writable.count
    precondition(count <= Int(q.size) - 1 + Int(Virtqueue.maximumIndirectEntries), "walked more than the limits")
    precondition(chain.readableLength + chain.writableLength <= UInt64(UInt32.max), "chain longer than 4 GiB")
    let peek = Int(min(chain.readableLength, 4096))
    let gathered = memory.gather(chain.readable, count: peek)
    var expected: [UInt8] = []
    for buffer in chain.readable where expected.count < peek {
        expected += model.bytes(buffer, count: min(Int(buffer.length), peek - expected.count))
    }
    precondition(gathered == expected, "gather of an accepted chain differs from guest RAM")
    let mapped = try? memory.withIOVecs(GuestMemory.ranges(chain.writable), intoGuest: false) { vectors in
        vectors.reduce(0) { $0 + UInt64($1.iov_len) }
    }
    precondition(mapped == chain.writableLength, "withIOVecs refused or resized an accepted chain")
}

/// Drains the queue: each popChain must give the model's chain or error.
func drain(_ queue: Virtqueue, _ model: inout Model) {
    var q = queue
    for _ in 0...Int(q.size) {
        let before = q
        let availIndex = UInt16(model.load(q.driverArea + 2, 2) ?? 0)
        let pending = availIndex &- q.lastAvailIndex
        let expected: Result<DescriptorChain, VirtqueueError>?
        if pending == 0 {
            expected = nil
        } else if pending > q.size {
            expected = .failure(.availIndexJump(avail: availIndex, lastSeen: q.lastAvailIndex, size: q.size))
        } else {
            let head = model.load(q.driverArea + 4 + 2 * UInt64(q.lastAvailIndex % q.size), 2) ?? 0
            expected = model.walk(table: q.descriptorTable, entries: UInt32(q.size), head: UInt16(head))
        }
        let got: Result<DescriptorChain, VirtqueueError>?
        do throws(VirtqueueError) { got = try q.popChain(memory).map { .success($0) } } catch { got = .failure(error) }
        precondition(
            got == expected, "popChain gave \(String(describing: got)), the model \(String(describing: expected))")
        guard case .success(let chain) = got else {
            precondition(q == before, "a refused or empty pop consumed an entry")
            return
        }
        precondition(q.lastAvailIndex == before.lastAvailIndex &+ 1, "an accepted pop did not consume one entry")
        checkAccepted(chain, q, model)
        let written = UInt32(truncatingIfNeeded: chain.writableLength)
        let slot = q.deviceArea + 4 + 8 * UInt64(q.usedIndex % q.size)
        do throws(VirtqueueError) { try q.pushUsed(head: chain.head, written: written, memory) } catch {
            preconditionFailure("pushUsed into a validated used ring failed: \(error)")
        }
        model.store(UInt64(chain.head), 4, at: slot)
        model.store(UInt64(written), 4, at: slot + 4)
        model.store(UInt64(q.usedIndex), 2, at: q.deviceArea + 2)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= headerSize else { return 0 }
    var model = Model(image: [UInt8](repeating: 0, count: sizeA))
    let image = bytes[headerSize...].prefix(sizeA)
    model.image.replaceSubrange(0..<image.count, with: image)
    do { try memory.write(model.image, at: ramA) } catch { preconditionFailure("cannot fill guest RAM: \(error)") }
    var q = Virtqueue()
    q.size = u16(bytes, 0)
    q.descriptorTable = ramA + UInt64(u16(bytes, 2))
    q.driverArea = ramA + UInt64(u16(bytes, 4))
    q.deviceArea = ramA + UInt64(u16(bytes, 6))
    q.lastAvailIndex = u16(bytes, 8)
    q.usedIndex = q.lastAvailIndex
    do throws(VirtqueueError) {
        try q.validate(queue: 0, memory: memory)
        precondition(setupIsValid(q, model), "validate accepted a queue §2.7 forbids")
    } catch {
        precondition(!setupIsValid(q, model), "validate refused a valid queue: \(error)")
        switch error {
        case .badQueueSetup, .outsideRAM: return 0
        default: preconditionFailure("validate threw an error it does not document: \(error)")
        }
    }
    drain(q, &model)
    // memcmp over the mappings: a Swift loop over 8 KiB here would be instrumented for coverage and
    // cost more than the walk.
    // SAFETY: both regions are live mappings of sizeA and sizeB bytes owned by `memory`.
    guard let regionA = UnsafeRawPointer(bitPattern: memory.regions[0].hostAddress),
        let regionB = UnsafeRawPointer(bitPattern: memory.regions[1].hostAddress)
    else { preconditionFailure("guest RAM has no mapping") }
    precondition(memcmp(regionA, model.image, sizeA) == 0, "the walk wrote guest RAM it should not")
    precondition(memcmp(regionB, zeros, sizeB) == 0, "region B written")
    return 0
}
