# Warnings for kbatch's own code. Third-party headers come in as SYSTEM through their imported
# targets, so this flags only what we wrote.
function(kbatch_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
endfunction()
