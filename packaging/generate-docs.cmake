# Run at build time (cmake -P, from packaging/CMakeLists.txt): asks the entente just
# built for its man page (`entente manpage`) and shell completions (`entente
# completion bash|zsh`), so that they always match the binary they describe. A build
# whose entente lacks one of these commands gets no such file, says so, and still
# builds: install() takes the files as OPTIONAL.
#
#   cmake -DENTENTE=path/to/entente -DOUT=folder -DSTAMP=file -P generate-docs.cmake
foreach(variable ENTENTE OUT STAMP)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "generate-docs.cmake needs -D${variable}=...")
  endif()
endforeach()
file(MAKE_DIRECTORY ${OUT})

# generate(FILE ARGS...): FILE is what `entente ARGS...` prints, when it succeeds.
function(generate file)
  execute_process(COMMAND ${ENTENTE} ${ARGN} OUTPUT_VARIABLE text ERROR_VARIABLE error RESULT_VARIABLE result)
  if(result EQUAL 0 AND NOT text STREQUAL "")
    file(WRITE ${OUT}/${file} "${text}")
  else()
    file(REMOVE ${OUT}/${file})
    string(REPLACE ";" " " command "${ARGN}")
    message(STATUS "packaging: `entente ${command}` is not available in this build (exit ${result}); the package "
                   "will have no ${file}")
  endif()
endfunction()

generate(entente.1 manpage)
generate(entente.bash completion bash)
generate(_entente completion zsh)
file(REMOVE ${OUT}/entente.1.gz)
if(EXISTS ${OUT}/entente.1)
  # -n: no name or time stamp in the header, so that the same page gives the same bytes.
  execute_process(COMMAND gzip -9n ${OUT}/entente.1 RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "packaging: gzip could not compress ${OUT}/entente.1")
  endif()
endif()
file(TOUCH ${STAMP})
