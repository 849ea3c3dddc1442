# `cmake --install`: headers, the static and shared libraries, the CMake package (xvalConfig,
# xvalConfigVersion, exported targets xval::xval and xval::xval_shared) and xval.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(xval_install_targets xval)
if(TARGET xval_shared)
  list(APPEND xval_install_targets xval_shared)
endif()
install(TARGETS ${xval_install_targets} EXPORT xvalTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/xval
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/xval/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/xval)

set(xval_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/xval)
install(EXPORT xvalTargets NAMESPACE xval:: DESTINATION ${xval_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/xvalConfig.cmake.in
  ${PROJECT_BINARY_DIR}/xvalConfig.cmake INSTALL_DESTINATION ${xval_cmake_dir})
# 0.x releases may change the API between minor versions.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/xvalConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/xvalConfig.cmake ${PROJECT_BINARY_DIR}/xvalConfigVersion.cmake
  DESTINATION ${xval_cmake_dir})

# pkg-config, for the shared library: Libs links libxval.so, which carries its own
# dependencies (the C ABI needs nothing else); Requires names Abseil's status and strings,
# which the C++ API's own types need. Static linking is the CMake package's (xval::xval). The
# prefix is found from the .pc file's own place (${pcfiledir}), so that
# `cmake --install --prefix P` into any P gives a working file.
if(TARGET xval_shared)
  file(RELATIVE_PATH xval_pc_to_prefix "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
  string(REGEX REPLACE "/$" "" xval_pc_to_prefix "${xval_pc_to_prefix}")
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(xval_pc_libdir "${CMAKE_INSTALL_LIBDIR}")
  else()
    set(xval_pc_libdir "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  endif()
  if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(xval_pc_includedir "${CMAKE_INSTALL_INCLUDEDIR}")
  else()
    set(xval_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/xval.pc.in ${PROJECT_BINARY_DIR}/xval.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/xval.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()
