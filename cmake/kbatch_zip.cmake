# cmake -DMANIFEST=file -DSTAGING=dir -DOUTPUT=file.zip [-DSTRIP=program] [-DBASE_ZIP=zip]
#       -P kbatch_zip.cmake
#
# Lays out the files that MANIFEST names in STAGING (emptied first) and zips them into OUTPUT:
# the one way every kbatch package (layer, function, standalone) is made. With BASE_ZIP, STAGING
# starts as that zip's contents and MANIFEST adds to them (a plugin's standalone zip: the kbatch
# runtime tree plus the plugin); a manifest entry may not replace a file of the base.
#
# MANIFEST has one file a line: "<path in the zip>\t<file>[\tstrip]".
# - A symbolic link is resolved: the zip holds the file itself under the manifest's name (for a
#   library, its soname), because the loader looks a library up by that name and zip has no
#   portable links.
# - Every file gets mode 0755: Lambda runs the code as a user that does not own it, so it must be
#   readable by all, and bootstrap, the host and the loader must be executable.
# - "strip" entries are stripped with STRIP (--strip-unneeded keeps what dlopen needs).
# - Entries are sorted and dated 1980-01-02, so the same files always make the same zip.
# Only CMake is needed: `cmake -E tar --format=zip` writes the archive.
cmake_minimum_required(VERSION 3.25)

foreach(required MANIFEST STAGING OUTPUT)
  if("${${required}}" STREQUAL "")
    message(FATAL_ERROR "kbatch_zip.cmake: -D${required}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE ${STAGING})
file(MAKE_DIRECTORY ${STAGING})
set(entries)
if(NOT "${BASE_ZIP}" STREQUAL "")
  if(NOT EXISTS ${BASE_ZIP})
    message(FATAL_ERROR "kbatch_zip.cmake: the base zip ${BASE_ZIP} does not exist")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E tar xf ${BASE_ZIP} WORKING_DIRECTORY ${STAGING}
                  RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "kbatch_zip.cmake: could not unpack ${BASE_ZIP}")
  endif()
  file(GLOB_RECURSE entries RELATIVE ${STAGING} LIST_DIRECTORIES false ${STAGING}/*)
  # Set the modes again rather than rely on the unpacker to restore them.
  foreach(entry IN LISTS entries)
    file(CHMOD ${STAGING}/${entry} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
         GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
endif()
file(STRINGS ${MANIFEST} lines)
set(sources "${MANIFEST}")
if(NOT "${BASE_ZIP}" STREQUAL "")
  set(sources "${BASE_ZIP} and ${MANIFEST}")
endif()
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE "\t" ";" fields "${line}")
  list(LENGTH fields count)
  if(count LESS 2)
    message(FATAL_ERROR "kbatch_zip.cmake: ${MANIFEST}: malformed line \"${line}\"")
  endif()
  list(GET fields 0 entry)
  list(GET fields 1 source)
  if(NOT EXISTS ${source})
    message(FATAL_ERROR "kbatch_zip.cmake: ${entry}: ${source} does not exist")
  endif()
  if(entry IN_LIST entries)
    message(FATAL_ERROR "kbatch_zip.cmake: ${entry} is named twice in ${sources}")
  endif()
  list(APPEND entries ${entry})

  file(REAL_PATH ${source} real_source)
  get_filename_component(parent ${STAGING}/${entry} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(COPY_FILE ${real_source} ${STAGING}/${entry})
  file(CHMOD ${STAGING}/${entry} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
       GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  if(count GREATER 2 AND STRIP)
    list(GET fields 2 flag)
    if(flag STREQUAL "strip")
      execute_process(COMMAND ${STRIP} --strip-unneeded ${STAGING}/${entry}
                      RESULT_VARIABLE result)
      if(NOT result EQUAL 0)
        message(FATAL_ERROR "kbatch_zip.cmake: ${STRIP} failed on ${entry}")
      endif()
    endif()
  endif()
endforeach()

list(SORT entries)
list(JOIN entries "\n" listing)
get_filename_component(output_dir ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${output_dir})
set(list_file ${STAGING}.files)
file(WRITE ${list_file} "${listing}\n")
# Written beside the target and renamed, so a failed run never leaves half a zip behind.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E tar cf ${OUTPUT}.partial --format=zip "--mtime=1980-01-02 00:00:00 UTC"
          --files-from=${list_file}
  WORKING_DIRECTORY ${STAGING}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(REMOVE ${OUTPUT}.partial)
  message(FATAL_ERROR "kbatch_zip.cmake: could not write ${OUTPUT}")
endif()
file(RENAME ${OUTPUT}.partial ${OUTPUT})
