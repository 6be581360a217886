/*
 * ckvm.c - intentionally empty. CKVM is declarations only (include/ckvm.h); SwiftPM needs one source
 * file in a C target, and this is it. Keep logic out of here: the ioctl choke point lives in Swift
 * (Sources/VMM/KVM/KVMCall.swift).
 */
#include "ckvm.h"
