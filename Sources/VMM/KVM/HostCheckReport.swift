import SysRegs

/// The answer to "can this host run vmmctl, and nested guests?": one item per thing checked, with
/// what to do about each missing one, plus a verdict. `vmmctl check` prints `text`.
public struct HostCheckReport: Hashable, Sendable {
    /// One thing checked.
    public struct Item: Hashable, Sendable {
        /// What was checked, such as `KVM_CAP_ARM_EL2 (EL2 guests)`.
        public let name: String
        public let available: Bool
        /// The value found, such as `yes`, `48 bits`, `12`.
        public let value: String
        /// What to do when it is missing; nil when available or when nothing can be done.
        public let remedy: String?
        /// Whether nested (EL2) guests need it.
        public let neededForNested: Bool

        public init(name: String, available: Bool, value: String, remedy: String?, neededForNested: Bool) {
            self.name = name
            self.available = available
            self.value = value
            self.remedy = available ? nil : remedy
            self.neededForNested = neededForNested
        }
    }

    public let items: [Item]
    /// Whether arm64 KVM is usable at all.
    public let kvmReady: Bool
    /// Whether EL2 (nested) guests can run: KVM usable and every nested requirement available.
    public let nestedReady: Bool
    /// Whether `vmmctl restore` can work: KVM usable and the VM-wide counter offset it restores the
    /// guest's clock with (KVM_CAP_COUNTER_OFFSET); nil when the report does not know.
    public let restoreReady: Bool?

    public init(items: [Item], kvmReady: Bool, restoreReady: Bool? = nil) {
        self.items = items
        self.kvmReady = kvmReady
        self.nestedReady = kvmReady && items.allSatisfy { $0.available || !$0.neededForNested }
        self.restoreReady = restoreReady.map { $0 && kvmReady }
    }

    /// The items whose absence blocks nested guests.
    public var nestedBlockers: [Item] { items.filter { $0.neededForNested && !$0.available } }

    /// A human-readable rendering: one line per item, remedies indented under missing ones, and
    /// the verdict last.
    public var text: String {
        var lines: [String] = ["arm64 KVM host check"]
        let width = items.map(\.name.count).max() ?? 0
        for item in items {
            let mark = item.available ? "ok" : (item.neededForNested ? "MISSING" : "no")
            let padded = item.name + String(repeating: " ", count: width - item.name.count)
            lines.append("  \(padded)  \(mark.padding(7))  \(item.value)")
            if let remedy = item.remedy { lines.append("      -> \(remedy)") }
        }
        lines.append("KVM: " + (kvmReady ? "ready" : "not usable"))
        lines.append("nested virtualization (EL2 guests): " + (nestedReady ? "ready" : "not ready"))
        if let restoreReady {
            lines.append(
                "snapshot restore: "
                    + (restoreReady ? "ready" : "not ready (needs \(KVMCapability.counterOffset.name) and usable KVM)"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}

extension HostCapabilities {
    /// The report for these capabilities.
    public var report: HostCheckReport {
        guard kvmProblem == nil else {
            let item = HostCheckReport.Item(
                name: "/dev/kvm (arm64 KVM)", available: false, value: "absent", remedy: kvmProblem,
                neededForNested: true)
            return HostCheckReport(items: [item], kvmReady: false)
        }
        // Every run needs register access, PSCI and an in-kernel GICv3 (Machine.bringUp creates one):
        // "ready" without them would only move the failure to `vmmctl run`.
        return HostCheckReport(
            items: reportItems, kvmReady: oneReg && psci02 && gicV3 && apiVersion == 12, restoreReady: counterOffset)
    }

    private var reportItems: [HostCheckReport.Item] {
        func flag(_ capability: KVMCapability, _ what: String, _ on: Bool, nested: Bool = false) -> HostCheckReport.Item
        {
            .init(
                name: "\(capability.name) (\(what))", available: on, value: on ? "yes" : "no",
                remedy: capability.remedy, neededForNested: nested)
        }
        return [
            .init(
                name: "/dev/kvm (arm64 KVM)", available: true, value: "API \(apiVersion.map { "\($0)" } ?? "?")",
                remedy: nil, neededForNested: true),
            flag(.oneReg, "register access", oneReg, nested: true),
            flag(.psci02, "PSCI 0.2+", psci02, nested: true),
            flag(.el2, "EL2 guests", el2, nested: true),
            flag(.el2E2H0, "non-VHE EL2 guests", el2E2H0),
            .init(
                name: "KVM_DEV_TYPE_ARM_VGIC_V3 (in-kernel GICv3)", available: gicV3, value: gicV3 ? "yes" : "no",
                remedy: "use a host with a GICv3 (KVM cannot emulate one on a GICv2 host)", neededForNested: true),
            .init(
                name: "KVM_DEV_TYPE_ARM_VGIC_ITS (GICv3 ITS: LPIs, MSIs)", available: gicITS,
                value: gicITS ? "yes" : "no",
                remedy: "a host kernel whose KVM builds the vGIC ITS (any arm64 KVM with a GICv3 host); "
                    + "run with --no-its meanwhile",
                neededForNested: false),
            flag(.vcpuAttributes, "timer and PMU setup", vcpuAttributes),
            .init(
                name: "\(KVMCapability.vmIPASize.name) (max IPA size)", available: maxIPABits > 0,
                value: maxIPABits > 0 ? "\(maxIPABits) bits" : "40 bits (fixed)",
                remedy: KVMCapability.vmIPASize.remedy, neededForNested: false),
            .init(
                name: "\(KVMCapability.nrVCPUs.name) / \(KVMCapability.maxVCPUs.name)", available: maxVCPUs > 0,
                value: "\(recommendedVCPUs) recommended, \(maxVCPUs) max", remedy: KVMCapability.maxVCPUs.remedy,
                neededForNested: false),
            .init(
                name: "\(KVMCapability.sve.name) (SVE)", available: sve,
                value: sve
                    ? (sveVectorLengths.isEmpty
                        ? "yes"
                        : "yes (vector lengths \(sveVectorLengths.map(String.init).joined(separator: ", ")) bytes)")
                    : "no",
                remedy: KVMCapability.sve.remedy, neededForNested: false),
            .init(
                name: "KVM_CAP_ARM_PTRAUTH_ADDRESS + _GENERIC (pointer auth)",
                available: pauthAddress && pauthGeneric,
                value: "address \(pauthAddress ? "yes" : "no"), generic \(pauthGeneric ? "yes" : "no")",
                remedy: KVMCapability.pauthAddress.remedy, neededForNested: false),
            flag(.pmuV3, "PMUv3", pmuV3),
            flag(.mte, "MTE", mte),
            flag(.counterOffset, "VM-wide counter offset, needed by restore", counterOffset),
        ]
    }
}
