# The Lambda packages of a plugin target NAME (made with kbatch_add_plugin):
#
# kbatch_package_function(NAME [LIBRARIES target-or-file...] [OUTPUT_DIRECTORY dir])
#   <NAME>-function.zip, the function that runs with the kbatch layer: lib<NAME>.so at the zip's
#   root, where the host looks for the Handler NAME in /var/task, and the plugin's own shared
#   libraries (LIBRARIES: targets of this project or files) in lib/, which the plugin's RUNPATH
#   ($ORIGIN/lib) finds. The host, the C and C++ libraries and the shipped plugins come from the
#   layer, not from this zip. Made by the target <NAME>_function.
#
# kbatch_package_standalone(NAME [LIBRARIES ...] [OUTPUT_DIRECTORY dir] [RUNTIME_ZIP zip])
#   <NAME>-standalone.zip, one function zip for teams that use no layer: the kbatch runtime tree
#   (bootstrap, the host, its loader and libraries, the shipped plugins: RUNTIME_ZIP, by default
#   the installed kbatch-standalone zip, kbatch_STANDALONE_ZIP) with the same files as the
#   function zip added: lib<NAME>.so at the root and LIBRARIES in lib/. Deploy it with
#   Runtime provided.al2023 and Handler NAME. Made by the target <NAME>_standalone.
#
# The plugin, and every library target of this project in LIBRARIES, go into the zips stripped
# (strip --strip-unneeded with CMAKE_STRIP: what dlopen needs stays, debug information and the
# local symbol table go); the files in the build folder keep everything, to debug with. Files
# and imported targets in LIBRARIES ship as they are: they are not this project's to change.
# Both targets are part of `all`; the zips are written to OUTPUT_DIRECTORY (default: the top
# of the build folder).
#
# This file is installed with the SDK: find_package(kbatch) includes it.

# The helper script lives beside this file, in the source tree and in the installed package.
set_property(GLOBAL PROPERTY KBATCH_ZIP_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/kbatch_zip.cmake")

# Writes the manifest of the plugin's own files (see kbatch_zip.cmake for the format) to
# `manifest_file` (per configuration) and sets `depends_var` to the targets they come from.
function(_kbatch_plugin_manifest name kind libraries manifest_var depends_var)
  if(NOT TARGET ${name})
    message(FATAL_ERROR "kbatch_package_${kind}(${name}): no target ${name} (make it with "
                        "kbatch_add_plugin first)")
  endif()
  # One line per file: "<path in the zip>\t<file>[\tstrip]". Written at generate time, when the
  # generator expressions that name the built files can be evaluated.
  set(manifest "$<TARGET_FILE_NAME:${name}>\t$<TARGET_FILE:${name}>\tstrip\n")
  set(depends ${name})
  foreach(library IN LISTS libraries)
    if(TARGET ${library})
      get_target_property(type ${library} TYPE)
      get_target_property(imported ${library} IMPORTED)
      # A shared library is looked up by its soname, so that is the name it must have in lib/.
      if(type STREQUAL "SHARED_LIBRARY")
        string(APPEND manifest "lib/$<TARGET_SONAME_FILE_NAME:${library}>\t")
      else()
        string(APPEND manifest "lib/$<TARGET_FILE_NAME:${library}>\t")
      endif()
      string(APPEND manifest "$<TARGET_FILE:${library}>")
      if(NOT imported AND type MATCHES "^(SHARED|MODULE)_LIBRARY$")
        string(APPEND manifest "\tstrip")
      endif()
      string(APPEND manifest "\n")
    else()
      get_filename_component(file ${library} ABSOLUTE)
      get_filename_component(file_name ${library} NAME)
      string(APPEND manifest "lib/${file_name}\t${file}\n")
    endif()
    list(APPEND depends ${library})
  endforeach()
  # Per configuration, so that multi-configuration generators get one file each.
  set(manifest_file "${CMAKE_CURRENT_BINARY_DIR}/${name}-${kind}-$<CONFIG>.manifest")
  file(GENERATE OUTPUT ${manifest_file} CONTENT "${manifest}")
  set(${manifest_var} ${manifest_file} PARENT_SCOPE)
  set(${depends_var} ${depends} PARENT_SCOPE)
endfunction()

# The command line options for kbatch_zip.cmake's stripping.
function(_kbatch_strip_option out_var)
  if(CMAKE_STRIP)
    set(${out_var} -DSTRIP=${CMAKE_STRIP} PARENT_SCOPE)
  else()
    message(WARNING "kbatch: no strip program (CMAKE_STRIP) found; the zips get unstripped files")
    set(${out_var} "" PARENT_SCOPE)
  endif()
endfunction()

# The one rule behind both packaging functions: NAME-KIND.zip in OUTPUT_DIRECTORY from the
# plugin, LIBRARIES and (standalone) the runtime zip BASE_ZIP, built by the target NAME_KIND.
function(_kbatch_add_zip name kind output_directory libraries base_zip)
  _kbatch_plugin_manifest(${name} ${kind} "${libraries}" manifest_file depends)
  _kbatch_strip_option(strip_option)
  get_property(zip_script GLOBAL PROPERTY KBATCH_ZIP_SCRIPT)
  set(base_option "")
  if(base_zip)
    set(base_option -DBASE_ZIP=${base_zip})
  endif()

  set(zip ${output_directory}/${name}-${kind}.zip)
  add_custom_command(
    OUTPUT ${zip}
    COMMAND ${CMAKE_COMMAND} ${base_option} -DMANIFEST=${manifest_file}
            -DSTAGING=${CMAKE_CURRENT_BINARY_DIR}/${name}-${kind} -DOUTPUT=${zip}
            ${strip_option} -P ${zip_script}
    DEPENDS ${depends} ${base_zip} ${zip_script}
    COMMENT "Packaging ${name}-${kind}.zip"
    VERBATIM)
  add_custom_target(${name}_${kind} ALL DEPENDS ${zip})
endfunction()

function(kbatch_package_function name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "LIBRARIES")
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  endif()
  _kbatch_add_zip(${name} function ${ARG_OUTPUT_DIRECTORY} "${ARG_LIBRARIES}" "")
endfunction()

function(kbatch_package_standalone name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY;RUNTIME_ZIP" "LIBRARIES")
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  endif()
  if(NOT ARG_RUNTIME_ZIP)
    set(ARG_RUNTIME_ZIP "${kbatch_STANDALONE_ZIP}")
  endif()
  if(NOT ARG_RUNTIME_ZIP)
    message(FATAL_ERROR "kbatch_package_standalone(${name}): this kbatch package has no "
                        "standalone runtime zip (kbatch_STANDALONE_ZIP); install kbatch with its "
                        "runtime component, or pass RUNTIME_ZIP")
  endif()
  _kbatch_add_zip(${name} standalone ${ARG_OUTPUT_DIRECTORY} "${ARG_LIBRARIES}" ${ARG_RUNTIME_ZIP})
  # Inside the kbatch repository the runtime zip is built, by this target, not installed.
  if(TARGET kbatch_packages)
    add_dependencies(${name}_standalone kbatch_packages)
  endif()
endfunction()
