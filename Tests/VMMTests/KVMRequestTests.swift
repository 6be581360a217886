import CKVM
import Glibc
import SysRegs
import Testing

@testable import VMM

/// Ioctl naming and error text: runs on any host.
@Suite struct KVMRequestTests {
    @Test func errorReadsLikeTheKernelDocs() {
        let error = KVMError.ioctl(KVMIoctl.setOneReg.on("SCTLR_EL1"), errno: EINVAL)
        #expect(error.description == "KVM_SET_ONE_REG(SCTLR_EL1): Invalid argument (EINVAL)")
        #expect(error.errno == EINVAL)
    }

    @Test func requestWithoutTarget() {
        #expect(KVMRequest(.run).description == "KVM_RUN")
        #expect(
            KVMError.ioctl(KVMRequest(.run), errno: EBUSY).description == "KVM_RUN: Device or resource busy (EBUSY)")
    }

    @Test func unknownErrnoStillPrints() {
        #expect(KVMError.ioctl(KVMRequest(.createVM), errno: 4095).description.hasSuffix("(errno 4095)"))
    }

    @Test func missingCapabilitiesListsEveryOneWithRemedy() {
        let error = KVMError.missingCapabilities([KVMCapability.el2.missing, KVMCapability.el2E2H0.missing])
        let text = error.description
        #expect(text.hasPrefix("the host lacks 2 required KVM capabilities:"))
        #expect(text.contains("KVM_CAP_ARM_EL2: boot the host with kvm-arm.mode=nested (Linux 6.16+)"))
        #expect(text.contains("KVM_CAP_ARM_EL2_E2H0: "))
    }

    /// The numbers as the kernel's ABI defines them; the lab C check proves the
    /// same against the kernel headers.
    @Test func ioctlNumbersMatchTheReference() {
        let expected: [(KVMIoctl, UInt)] = [
            (.createVM, 0xAE01), (.checkExtension, 0xAE03), (.getVCPUMmapSize, 0xAE04), (.createVCPU, 0xAE41),
            (.setUserMemoryRegion, 0x4020_AE46), (.irqLine, 0x4008_AE61), (.run, 0xAE80),
            (.getMPState, 0x8004_AE98), (.setMPState, 0x4004_AE99), (.getVCPUEvents, 0x8040_AE9F),
            (.setVCPUEvents, 0x4040_AEA0), (.enableCap, 0x4068_AEA3), (.getOneReg, 0x4010_AEAB),
            (.setOneReg, 0x4010_AEAC), (.armVCPUInit, 0x4020_AEAE), (.armPreferredTarget, 0x8020_AEAF),
            (.getRegList, 0xC008_AEB0), (.armSetCounterOffset, 0x4010_AEB5), (.armVCPUFinalize, 0x4004_AEC2),
            (.createDevice, 0xC00C_AEE0), (.setDeviceAttr, 0x4018_AEE1), (.getDeviceAttr, 0x4018_AEE2),
            (.hasDeviceAttr, 0x4018_AEE3),
        ]
        for (ioctl, number) in expected {
            #expect(ioctl.number == number, "\(ioctl.name)")
            #expect(ioctl.name.hasPrefix("KVM_"))
        }
        #expect(Set(expected.map(\.0.name)).count == expected.count)
    }

    @Test func ioctlNumberSizeFieldsMatchStructs() {
        // _IOC size field (bits 29:16) must equal the struct the request carries.
        func size(_ ioctl: KVMIoctl) -> Int { Int((ioctl.number >> 16) & 0x3FFF) }
        #expect(size(.setUserMemoryRegion) == MemoryLayout<ckvm_userspace_memory_region>.size)
        #expect(size(.getOneReg) == MemoryLayout<ckvm_one_reg>.size)
        #expect(size(.armVCPUInit) == MemoryLayout<ckvm_vcpu_init>.size)
        #expect(size(.getRegList) == MemoryLayout<ckvm_reg_list>.size)
        #expect(size(.enableCap) == MemoryLayout<ckvm_enable_cap>.size)
        #expect(size(.getVCPUEvents) == MemoryLayout<ckvm_vcpu_events>.size)
        #expect(size(.createDevice) == MemoryLayout<ckvm_create_device>.size)
        #expect(size(.setDeviceAttr) == MemoryLayout<ckvm_device_attr>.size)
        #expect(size(.armSetCounterOffset) == MemoryLayout<ckvm_arm_counter_offset>.size)
        #expect(size(.irqLine) == MemoryLayout<ckvm_irq_level>.size)
        #expect(size(.getMPState) == MemoryLayout<ckvm_mp_state>.size)
    }

    @Test func registerErrorsUseSysRegNames() {
        let id = OneRegID(0x6030_0000_0013_C080)
        let error = KVMError.registerWidth(name: "SCTLR_EL1", id: id, expectedBytes: 8, givenBytes: 4)
        #expect(error.description == "SCTLR_EL1 (0x603000000013c080) is 8 bytes wide, but 4 bytes were given")
    }

    @Test func transferSizeRefusesTinyAndHugeIDs() throws {
        #expect(try VCPU.transferSize(of: OneRegID(0x6030_0000_0013_C080), name: "SCTLR_EL1") == 8)
        #expect(try VCPU.transferSize(of: OneRegID(0x6080_0000_0015_0000), name: "Z0") == 256)
        #expect(throws: KVMError.self) { try VCPU.transferSize(of: OneRegID(0x6000_0000_0013_0000), name: "x") }
    }

    @Test func irqLineEncoding() {
        #expect(IRQLine.spi(intid: 33).encoded == 0x0100_0021)
        #expect(IRQLine.ppi(intid: 27, vcpu: 2).encoded == 0x0202_001B)
        #expect(IRQLine.ppi(intid: 27, vcpu: 0x123).encoded == 0x1223_001B)
    }

    @Test func vgicCPUSysRegAttribute() {
        // ICC_PMR_EL1 (3,0,4,6,0) on the vCPU with affinity 0.0.0.1
        let attr = KVMDevice.vgicCPUSysRegAttr(mpidr: 1, encoding: SysRegEncoding(3, 0, 4, 6, 0))
        #expect(attr == 0x1_0000_C230)
    }
}
