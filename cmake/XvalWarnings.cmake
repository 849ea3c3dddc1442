# Warnings for our own targets only (dependencies' headers are included as system headers).
function(xval_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-sign-compare -Wno-unused-parameter>)
endfunction()
