# kbatch_add_plugin(NAME SOURCES src... [OUTPUT_DIRECTORY dir])
#
# Builds a record-processor plugin as lib<NAME>.so, the way the host expects: a MODULE library
# (loaded with dlopen, never linked), C++20, hidden visibility (Boost.DLL's "symbol shadowing"
# advice: only the KBATCH_PLUGIN exports are visible), and the SDK's definitions
# (BOOST_DLL_USE_STD_FS must match the host).
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
  target_link_libraries(${name} PRIVATE kbatch::sdk)
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
  if(COMMAND kbatch_target_warnings)
    kbatch_target_warnings(${name})
  endif()
endfunction()

# kbatch_package_function comes with it, wherever this file is used.
include(${CMAKE_CURRENT_LIST_DIR}/KbatchPackage.cmake)
