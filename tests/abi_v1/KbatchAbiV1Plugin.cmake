# kbatch_add_abi_v1_plugin(NAME SOURCES src... [OUTPUT_DIRECTORY dir])
#
# Builds lib<NAME>.so as a plugin of ABI version 1 was built: against the frozen copy of the
# version 1 SDK headers (tests/abi_v1/include) INSTEAD of core/include, with the flags the version
# 1 README gave (C++20, -fPIC, -fvisibility=hidden, -DBOOST_DLL_USE_STD_FS). It links nothing of
# kbatch: kbatch::sdk would put core/include on the include path, so the headers' own
# dependencies (Boost and nlohmann/json) are named here instead. What it produces is what a team
# deployed before ABI version 2, and the host must load it unchanged.
set(KBATCH_ABI_V1_INCLUDE_DIR ${CMAKE_CURRENT_LIST_DIR}/include)

function(kbatch_add_abi_v1_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "kbatch_add_abi_v1_plugin(${name}): no SOURCES")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${KBATCH_ABI_V1_INCLUDE_DIR})
  target_link_libraries(${name} PRIVATE Boost::headers nlohmann_json::nlohmann_json)
  target_compile_definitions(${name} PRIVATE BOOST_DLL_USE_STD_FS)
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()
  kbatch_target_warnings(${name})
endfunction()
