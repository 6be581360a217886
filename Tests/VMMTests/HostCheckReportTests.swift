import Testing

@testable import VMM

/// The host report as values: runs on any host.
@Suite struct HostCheckReportTests {
    private var labLikeHost: HostCapabilities {
        var caps = HostCapabilities(architecture: "arm64", kvmProblem: nil)
        caps.apiVersion = 12
        caps.oneReg = true
        caps.psci02 = true
        caps.el2 = true
        caps.el2E2H0 = true
        caps.gicV3 = true
        caps.maxIPABits = 48
        caps.recommendedVCPUs = 4
        caps.maxVCPUs = 512
        return caps
    }

    @Test func nonARM64HostSaysSoPlainly() {
        let caps = HostCapabilities(
            architecture: "x86_64", kvmProblem: "arm64 KVM is absent: this host is x86_64; run the lab")
        let report = caps.report
        #expect(!report.kvmReady)
        #expect(!report.nestedReady)
        #expect(report.text.contains("arm64 KVM is absent: this host is x86_64; run the lab"))
    }

    #if !arch(arm64)
        @Test func probeOnThisHostRefusesWithoutTouchingDevKVM() {
            let caps = HostCapabilities.probe()
            #expect(caps.kvmProblem == HostCapabilities.notARM64Message)
            #expect(caps.kvmProblem?.hasPrefix("arm64 KVM is absent: this host is x86_64; use the lab") == true)
            #expect(throws: KVMError.self) { try KVMSystem() }
        }
    #endif

    @Test func labLikeHostIsNestedReady() {
        let report = labLikeHost.report
        #expect(report.kvmReady)
        #expect(report.nestedReady)
        #expect(report.nestedBlockers.isEmpty)
        #expect(report.text.contains("nested virtualization (EL2 guests): ready"))
        #expect(report.text.contains("48 bits"))
        // Optional features missing do not block nested guests but are listed with a remedy.
        let mte = report.items.first { $0.name.hasPrefix("KVM_CAP_ARM_MTE") }
        #expect(mte?.available == false)
        #expect(mte?.remedy?.contains("--mte") == true)
    }

    @Test func missingEL2AndGICBlockNestedAndSayWhatToDo() {
        var caps = labLikeHost
        caps.el2 = false
        caps.gicV3 = false
        let report = caps.report
        // Before the fix this host was reported "KVM: ready" and `vmmctl run` then failed creating the GIC.
        #expect(!report.kvmReady)
        #expect(!report.nestedReady)
        #expect(report.nestedBlockers.count == 2)
        #expect(report.text.contains("boot the host with kvm-arm.mode=nested (Linux 6.16+)"))
        #expect(report.text.contains("MISSING"))
    }

    @Test func missingForFeaturesListsEveryCapability() {
        var caps = labLikeHost
        caps.el2 = false
        caps.el2E2H0 = false
        #expect(caps.missing(for: .el2E2H0).map(\.name) == ["KVM_CAP_ARM_EL2", "KVM_CAP_ARM_EL2_E2H0"])
        #expect(caps.missing(for: .el1).isEmpty)
    }
}

/// `check` is honest about restore: without the VM-wide counter offset it says restore is not ready.
@Suite struct HostCheckRestoreTests {
    @Test func restoreNeedsTheCounterOffset() {
        var caps = HostCapabilities(architecture: "arm64", kvmProblem: nil)
        caps.apiVersion = 12
        caps.oneReg = true
        caps.psci02 = true
        caps.gicV3 = true
        caps.counterOffset = false
        let report = caps.report
        #expect(report.kvmReady)
        #expect(report.restoreReady == false)
        #expect(report.text.contains("snapshot restore: not ready (needs KVM_CAP_COUNTER_OFFSET"))
        caps.counterOffset = true
        #expect(caps.report.restoreReady == true)
        #expect(caps.report.text.contains("snapshot restore: ready"))
    }

    @Test func noPSCIIsNotReady() {
        var caps = HostCapabilities(architecture: "arm64", kvmProblem: nil)
        caps.apiVersion = 12
        caps.oneReg = true
        caps.gicV3 = true
        caps.psci02 = false
        #expect(!caps.report.kvmReady)
    }
}
