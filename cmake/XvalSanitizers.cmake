# XVAL_SANITIZE=address,undefined builds everything with those sanitizers; UBSan findings abort
# so that a test fails instead of printing and going on.
if(XVAL_SANITIZE)
  add_compile_options(-fsanitize=${XVAL_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${XVAL_SANITIZE})
endif()
