// libxval.so's own translation unit, empty: CMake needs one source per library, and the code
// is the static library's, linked whole (bindings/c/CMakeLists.txt).
