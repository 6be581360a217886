import Testing

@testable import VMM

/// `vmmctl check`'s SVE vector lengths and ITS lines, from hand-built capabilities.
@Suite struct HostCheckSVETests {
    @Test("KVM_REG_ARM64_SVE_VLS decodes bit vq-1 as a vector of vq × 16 bytes, across its 64-bit words")
    func vectorLengthDecoding() {
        var vls = [UInt8](repeating: 0, count: 64)
        vls[0] = 0b1000_1011  // VQ 1, 2, 4, 8
        vls[1] = 0b1000_0000  // VQ 16
        vls[8] = 0b0000_0001  // VQ 65: the second 64-bit word
        #expect(HostCapabilities.vectorLengths(fromVLS: vls) == [16, 32, 64, 128, 256, 1040])
        #expect(HostCapabilities.vectorLengths(fromVLS: [UInt8](repeating: 0, count: 64)).isEmpty)
    }

    @Test("the report lists the SVE vector lengths and the ITS")
    func reportLines() {
        var caps = HostCapabilities(architecture: "arm64", kvmProblem: nil)
        caps.apiVersion = 12
        caps.sve = true
        caps.sveVectorLengths = [16, 32, 64]
        caps.gicITS = true
        let text = caps.report.text
        #expect(text.contains("yes (vector lengths 16, 32, 64 bytes)"), "\(text)")
        #expect(text.contains("KVM_DEV_TYPE_ARM_VGIC_ITS"), "\(text)")
        caps.gicITS = false
        let sveLine = caps.report.items.first { $0.name.contains("SVE") }
        #expect(sveLine?.available == true)
        #expect(caps.report.items.first { $0.name.contains("VGIC_ITS") }?.available == false)
    }
}
