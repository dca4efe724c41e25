# Settings every target of ours links: language level, warnings and Qt's string hygiene.
add_library(lbscope_common_settings INTERFACE)
target_compile_features(lbscope_common_settings INTERFACE cxx_std_20)
target_compile_options(lbscope_common_settings INTERFACE
    -Wall -Wextra -Wnon-virtual-dtor -Wold-style-cast)
target_compile_definitions(lbscope_common_settings INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
