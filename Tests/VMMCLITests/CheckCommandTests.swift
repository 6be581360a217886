import Testing
import VMM

@testable import VMMCLI

@Suite("vmmctl check")
struct CheckCommandTests {
    #if !arch(arm64)
        @Test("on a non-arm64 host, check says plainly that arm64 KVM is absent and exits 1")
        func notARM64() {
            let r = CLIRun("check")
            #expect(r.status == 1)
            #expect(r.out.contains("arm64 KVM is absent"))
            #expect(r.out.contains("nested virtualization (EL2 guests): not ready"))
            let j = CLIRun("check", "--json")
            #expect(j.status == 1)
            #expect(j.out.contains("\"nestedReady\": false"))
        }
    #endif

    @Test("a device path that does not exist is reported, not crashed on")
    func missingDevice() {
        let r = CLIRun("check", "--device", "/nonexistent/kvm")
        #expect(r.status == 1)
        #expect(r.out.contains("MISSING"))
    }

    @Test("exit status: 0 nested ready, 3 KVM without nested, 1 no KVM")
    func statuses() {
        let ok = HostCheckReport.Item(name: "a", available: true, value: "yes", remedy: nil, neededForNested: true)
        let noEL2 = HostCheckReport.Item(
            name: "KVM_CAP_ARM_EL2", available: false, value: "no", remedy: "boot with kvm-arm.mode=nested",
            neededForNested: true)
        #expect(CheckCommand.status(for: HostCheckReport(items: [ok], kvmReady: true)) == 0)
        #expect(CheckCommand.status(for: HostCheckReport(items: [ok, noEL2], kvmReady: true)) == 3)
        #expect(CheckCommand.status(for: HostCheckReport(items: [ok], kvmReady: false)) == 1)
        let json = CheckCommand.json(HostCheckReport(items: [ok, noEL2], kvmReady: true)).rendered()
        #expect(json.contains("\"remedy\": \"boot with kvm-arm.mode=nested\""))
    }
}
