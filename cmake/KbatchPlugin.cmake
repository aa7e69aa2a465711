# kbatch_add_plugin(NAME SOURCES src... [OUTPUT_DIRECTORY dir])
#
# Builds a record-processor plugin as lib<NAME>.so, the way the host expects: a MODULE library
# (loaded with dlopen, never linked), C++20, hidden visibility (Boost.DLL's "symbol shadowing"
# advice: only the KBATCH_PLUGIN exports are visible), and the SDK's definitions
# (BOOST_DLL_USE_STD_FS must match the host).
#
# Optimised by default. When the project chose no build type (CMAKE_BUILD_TYPE empty with a
# single-configuration generator, which is what `cmake -S . -B build` gives), CMake adds no
# optimisation flag at all, and a plugin built by following the README was an -O0 build, several
# times larger and slower than the host around it. So the plugin alone then gets what
# RelWithDebInfo gives: -O2, -g and NDEBUG. -g because the function and standalone zips ship a
# stripped copy (see KbatchPackage.cmake): the .so in the build folder keeps its debug
# information, to read a crash from Lambda's log against. It is a per-target flag, through
# $<CONFIG>, rather than a default CMAKE_BUILD_TYPE: find_package(kbatch) runs after project(),
# where setting the build type would change every target of the team's project (its tests
# included) behind its back. A build type the project chose, any multi-configuration
# generator's configuration, and an -O or -g already in CMAKE_CXX_FLAGS are left alone.
#
# RUNPATH is "$ORIGIN:$ORIGIN/lib": a plugin finds the libraries shipped next to it and in the
# lib/ folder of its function zip (see kbatch_package_function). The host in the Lambda layer runs
# through its own loader with --library-path, which replaces LD_LIBRARY_PATH, so the plugin's own
# RUNPATH is what finds /var/task/lib whatever the image sets.
#
# OUTPUT_DIRECTORY overrides where the .so is written. The default is KBATCH_PLUGIN_OUTPUT_DIR
# when it is set (inside the kbatch repository, the plugins/ folder `kbatch` searches), and
# CMake's usual folder otherwise (a project that uses the installed SDK).
#
# This file is installed with the SDK: find_package(kbatch) includes it.
function(kbatch_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "kbatch_add_plugin(${name}): no SOURCES")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY AND KBATCH_PLUGIN_OUTPUT_DIR)
    set(ARG_OUTPUT_DIRECTORY ${KBATCH_PLUGIN_OUTPUT_DIR})
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  # kbatch::sdk carries BOOST_DLL_USE_STD_FS, the headers' dependencies and cxx_std_20.
  target_link_libraries(${name} PRIVATE kbatch::sdk)
  # Said again here so that the standard wins over a lower CMAKE_CXX_STANDARD or CXX_STANDARD
  # set on the target; a -std=c++17 in CMAKE_CXX_FLAGS still gets through, and meets the
  # SDK's own check (kbatch/abi.hpp), which names the fix.
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    BUILD_RPATH "$ORIGIN;$ORIGIN/lib"
    INSTALL_RPATH "$ORIGIN;$ORIGIN/lib")
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()
  # Ask the linker for RUNPATH (searched after LD_LIBRARY_PATH) rather than the older RPATH.
  target_link_options(${name} PRIVATE "LINKER:--enable-new-dtags")

  # The default optimisation (see above): only where $<CONFIG> is empty, that is, no build type.
  set(no_build_type "$<STREQUAL:$<CONFIG>,>")
  if(NOT CMAKE_CXX_FLAGS MATCHES "(^| )-O")
    target_compile_options(${name} PRIVATE "$<${no_build_type}:-O2>")
    target_compile_definitions(${name} PRIVATE "$<${no_build_type}:NDEBUG>")
  endif()
  if(NOT CMAKE_CXX_FLAGS MATCHES "(^| )-g")
    target_compile_options(${name} PRIVATE "$<${no_build_type}:-g>")
  endif()

  if(COMMAND kbatch_target_warnings)
    kbatch_target_warnings(${name})
  endif()
endfunction()

# kbatch_package_function and kbatch_package_standalone come with it, wherever this file is used.
include(${CMAKE_CURRENT_LIST_DIR}/KbatchPackage.cmake)
