# kbatch_package_function(NAME [LIBRARIES target-or-file...] [OUTPUT_DIRECTORY dir])
#
# Builds <NAME>-function.zip, the Lambda function for the plugin target NAME (made with
# kbatch_add_plugin): lib<NAME>.so at the zip's root, where the host looks for the Handler NAME
# in /var/task, and the plugin's own shared libraries (LIBRARIES: targets of this project or
# files) in lib/, which the plugin's RUNPATH ($ORIGIN/lib) finds. The host, the C and C++
# libraries and the shipped plugins come from the kbatch layer, not from this zip.
#
# The zip is written to OUTPUT_DIRECTORY (default: the top of the build folder) by the target
# <NAME>_function, which is part of `all`.
#
# This file is installed with the SDK: find_package(kbatch) includes it.

# The helper script lives beside this file, in the source tree and in the installed package.
set_property(GLOBAL PROPERTY KBATCH_ZIP_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/kbatch_zip.cmake")

function(kbatch_package_function name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "LIBRARIES")
  if(NOT TARGET ${name})
    message(FATAL_ERROR "kbatch_package_function(${name}): no target ${name} (make it with "
                        "kbatch_add_plugin first)")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  endif()
  get_property(zip_script GLOBAL PROPERTY KBATCH_ZIP_SCRIPT)

  # One line per file: "<path in the zip>\t<file>". Written at generate time, when the
  # generator expressions that name the built files can be evaluated.
  set(manifest "$<TARGET_FILE_NAME:${name}>\t$<TARGET_FILE:${name}>\n")
  set(depends ${name})
  foreach(library IN LISTS ARG_LIBRARIES)
    if(TARGET ${library})
      get_target_property(type ${library} TYPE)
      # A shared library is looked up by its soname, so that is the name it must have in lib/.
      if(type STREQUAL "SHARED_LIBRARY")
        string(APPEND manifest "lib/$<TARGET_SONAME_FILE_NAME:${library}>\t")
      else()
        string(APPEND manifest "lib/$<TARGET_FILE_NAME:${library}>\t")
      endif()
      string(APPEND manifest "$<TARGET_FILE:${library}>\n")
    else()
      get_filename_component(file ${library} ABSOLUTE)
      get_filename_component(file_name ${library} NAME)
      string(APPEND manifest "lib/${file_name}\t${file}\n")
    endif()
    list(APPEND depends ${library})
  endforeach()
  # Per configuration, so that multi-configuration generators get one file each.
  set(manifest_file "${CMAKE_CURRENT_BINARY_DIR}/${name}-function-$<CONFIG>.manifest")
  file(GENERATE OUTPUT ${manifest_file} CONTENT "${manifest}")

  set(zip ${ARG_OUTPUT_DIRECTORY}/${name}-function.zip)
  add_custom_command(
    OUTPUT ${zip}
    COMMAND ${CMAKE_COMMAND} -DMANIFEST=${manifest_file}
            -DSTAGING=${CMAKE_CURRENT_BINARY_DIR}/${name}-function -DOUTPUT=${zip} -P ${zip_script}
    DEPENDS ${depends} ${zip_script}
    COMMENT "Packaging ${name}-function.zip"
    VERBATIM)
  add_custom_target(${name}_function ALL DEPENDS ${zip})
endfunction()
