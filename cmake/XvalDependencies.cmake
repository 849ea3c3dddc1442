# Every dependency comes from Debian's packages (scripts/install-deps.sh installs them) and is
# found here with find_package or pkg-config; nothing is downloaded at configure time.
# The imported targets are global: the static library's link interface names them, and a
# project that adds xval with add_subdirectory links it from its own directories.
set(CMAKE_FIND_PACKAGE_TARGETS_GLOBAL ON)
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(absl REQUIRED)
find_package(simdjson REQUIRED)
find_package(hwy REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET GLOBAL libpcre2-8)
# ICU: Unicode normalization forms, properties and grapheme clusters for tokenizer.json stages.
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET GLOBAL icu-uc)
if(XVAL_BUILD_TESTS OR XVAL_BUILD_BENCHMARKS)
  # libsentencepiece is the reference the tests and benchmarks compare with; the library reads
  # .model files itself.
  pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET GLOBAL sentencepiece)
endif()
if(XVAL_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(XVAL_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
