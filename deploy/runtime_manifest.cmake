# cmake -DBASE=file -DBOOTSTRAP_IN=file -DWORK_DIR=dir -DVERSION=x.y.z -DOUTPUT=file
#       -P runtime_manifest.cmake
#
# Completes the manifest of the kbatch runtime tree (the layer's and the standalone zip's
# contents; see cmake/kbatch_zip.cmake for the format). BASE names the host (bin/...) and the
# shipped plugins; this adds
# - every shared library they need, found the way the build machine's loader finds it, under
#   lib/kbatch/system: libc, libm, libstdc++, libgcc_s and the rest, and the loader itself
#   (named by libc). They are used together, so the host runs on any glibc-based Lambda image,
#   whatever glibc the image has;
# - bootstrap, made from BOOTSTRAP_IN with the loader's name;
# - kbatch-version, one line with VERSION: what `cat /opt/kbatch-version` tells of a function's
#   layer. Named for kbatch, because every layer of a function unpacks into the same /opt.
# Run at build time: the files must exist to be read.
cmake_minimum_required(VERSION 3.25)

foreach(required BASE BOOTSTRAP_IN WORK_DIR VERSION OUTPUT)
  if("${${required}}" STREQUAL "")
    message(FATAL_ERROR "runtime_manifest.cmake: -D${required}=... is required")
  endif()
endforeach()

file(STRINGS ${BASE} lines)
set(executables)
set(modules)
foreach(line IN LISTS lines)
  string(REPLACE "\t" ";" fields "${line}")
  list(GET fields 0 entry)
  list(GET fields 1 source)
  if(entry MATCHES "^bin/")
    list(APPEND executables ${source})
  else()
    list(APPEND modules ${source})
  endif()
endforeach()

file(GET_RUNTIME_DEPENDENCIES
  EXECUTABLES ${executables}
  MODULES ${modules}
  RESOLVED_DEPENDENCIES_VAR resolved
  UNRESOLVED_DEPENDENCIES_VAR unresolved
  CONFLICTING_DEPENDENCIES_PREFIX conflict)
if(unresolved)
  message(FATAL_ERROR "runtime_manifest.cmake: cannot find ${unresolved}")
endif()
# /lib is a link to /usr/lib on Debian 12, so one library can be found twice: same file.
foreach(name IN LISTS conflict_FILENAMES)
  list(GET conflict_${name} 0 first)
  list(APPEND resolved ${first})
endforeach()

set(manifest "")
foreach(line IN LISTS lines)
  string(APPEND manifest "${line}\n")
endforeach()
set(KBATCH_LOADER "")
list(SORT resolved)
foreach(library IN LISTS resolved)
  get_filename_component(name ${library} NAME)
  if(name MATCHES "^ld-linux.*\\.so\\.[0-9]+$")
    set(KBATCH_LOADER ${name})
  endif()
  string(APPEND manifest "lib/kbatch/system/${name}\t${library}\n")
endforeach()
if(KBATCH_LOADER STREQUAL "")
  message(FATAL_ERROR "runtime_manifest.cmake: no ld-linux loader among ${resolved}")
endif()

configure_file(${BOOTSTRAP_IN} ${WORK_DIR}/bootstrap @ONLY)
string(APPEND manifest "bootstrap\t${WORK_DIR}/bootstrap\n")
file(WRITE ${WORK_DIR}/kbatch-version "${VERSION}\n")
string(APPEND manifest "kbatch-version\t${WORK_DIR}/kbatch-version\n")
file(WRITE ${OUTPUT} "${manifest}")
