# kbatch_add_plugin(NAME SOURCES src...)
#
# Builds a record-processor plugin as lib<NAME>.so, the way the host expects: a MODULE library
# (loaded with dlopen, never linked), C++20, hidden visibility (Boost.DLL's "symbol shadowing"
# advice: only the KBATCH_PLUGIN exports are visible), RUNPATH $ORIGIN so libraries shipped next to
# the plugin are found, and the SDK's definitions (BOOST_DLL_USE_STD_FS must match the host).
# OUTPUT_DIRECTORY overrides where the .so is written (default: KBATCH_PLUGIN_OUTPUT_DIR).
function(kbatch_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "kbatch_add_plugin(${name}): no SOURCES")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${KBATCH_PLUGIN_OUTPUT_DIR})
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE kbatch::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    BUILD_RPATH "$ORIGIN"
    INSTALL_RPATH "$ORIGIN"
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  # Ask the linker for RUNPATH (searched after LD_LIBRARY_PATH) rather than the older RPATH.
  target_link_options(${name} PRIVATE "LINKER:--enable-new-dtags")
  if(COMMAND kbatch_target_warnings)
    kbatch_target_warnings(${name})
  endif()
endfunction()
