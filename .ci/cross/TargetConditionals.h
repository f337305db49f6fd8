/* Minimal stand-in for the Apple SDK header, used only when .ci/run checks
 * on Linux that the bindings crate compiles for aarch64-apple-ios. It
 * describes an iOS device; real iOS builds use Xcode's SDK
 * (ios/build-xcframework.sh). */
#ifndef MSK_CI_TARGET_CONDITIONALS_H
#define MSK_CI_TARGET_CONDITIONALS_H
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 0
#define TARGET_OS_IPHONE 1
#define TARGET_OS_IOS 1
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_OS_EMBEDDED 1
#endif
