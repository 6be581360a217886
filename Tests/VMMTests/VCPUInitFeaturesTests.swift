import SysRegs
import Testing

@testable import VMM

/// vCPU feature validation and encoding: runs on any host, issues no ioctl.
@Suite struct VCPUInitFeaturesTests {
    @Test func e2h0WithoutEL2IsRefused() {
        let features = VCPUInitFeatures(el2: false, e2h0: true)
        #expect {
            try features.validate()
        } throws: { error in
            guard let error = error as? KVMError, case .invalidConfiguration(let reason) = error else { return false }
            return reason.contains("requires el2") && reason.contains("silently")
        }
    }

    @Test(arguments: [VCPUInitFeatures.el1, .el2VHE, .el2E2H0])
    func validCombinations(features: VCPUInitFeatures) throws {
        try features.validate()
    }

    @Test func bitmapUsesKernelBitNumbers() {
        #expect(VCPUInitFeatures.el1.bitmap == 1 << 2)
        #expect(VCPUInitFeatures.el2VHE.bitmap == 1 << 2 | 1 << 7)
        #expect(VCPUInitFeatures.el2E2H0.bitmap == 1 << 2 | 1 << 7 | 1 << 8)
        let all = VCPUInitFeatures(
            powerOff: true, psci0_2: true, el2: true, e2h0: true, sve: true, pmu: true, pauth: true)
        #expect(all.bitmap == 0b1_1111_1101)
    }

    @Test func requiredCapabilities() {
        #expect(
            VCPUInitFeatures.el2E2H0.requiredCapabilities.map(\.name) == [
                "KVM_CAP_ONE_REG", "KVM_CAP_ARM_PSCI_0_2", "KVM_CAP_ARM_EL2", "KVM_CAP_ARM_EL2_E2H0",
            ])
        #expect(VCPUInitFeatures(pauth: true).requiredCapabilities.contains(.pauthGeneric))
    }

    @Test func registerFeatures() {
        #expect(VCPUInitFeatures.el2E2H0.registerFeatures == [.el2, .e2h0])
        #expect(VCPUInitFeatures.el1.registerFeatures == [])
        #expect(VCPUInitFeatures.el2E2H0.summary == "el2+e2h0+psci0.2")
    }
}
