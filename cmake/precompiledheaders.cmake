# Precompiled headers: most of a translation unit's compile time here is parsing the same Qt and
# standard headers again (about 5 s for Qt Core/Network, 7 s with Widgets, 9 s with Qt Test on the
# CI machine), so each kind of target parses them once into a PCH.
#
# Only stable system headers go in, never one of ours: an edit of a project header must not rebuild
# everything. A PCH hides a missing #include of these headers, so LBSCOPE_PCH=OFF must keep
# compiling; build with it now and then (cmake -DLBSCOPE_PCH=OFF) to catch one.
option(LBSCOPE_PCH "Precompile the heaviest Qt and standard headers (faster clean builds)" ON)

set(LBSCOPE_PCH_CORE
    <algorithm> <array> <atomic> <functional> <memory> <optional> <vector>
    <QByteArray> <QDateTime> <QElapsedTimer> <QHash> <QHostAddress> <QList> <QMutex> <QObject>
    <QSet> <QString> <QStringList> <QTcpServer> <QTcpSocket> <QThread> <QTimer>)
set(LBSCOPE_PCH_UI ${LBSCOPE_PCH_CORE}
    <QAction> <QComboBox> <QHBoxLayout> <QLabel> <QLineEdit> <QPainter> <QPushButton> <QSpinBox>
    <QStyle> <QTableView> <QVBoxLayout> <QWidget>
    <QChartView> <QLineSeries> <QValueAxis>)
set(LBSCOPE_PCH_TEST_CORE ${LBSCOPE_PCH_CORE} <QSignalSpy> <QTest>)
set(LBSCOPE_PCH_TEST_UI ${LBSCOPE_PCH_UI} <QSignalSpy> <QTest>)

# Gives target the PCH of its kind (CORE, UI, TEST_CORE, TEST_UI): the first target of a kind builds
# it, the others reuse it. A PCH is only valid with the same macros, and Qt Test's headers test
# QT_TESTCASE_BUILDDIR, which differs per directory, so the test kinds have one PCH per directory.
function(lbscope_precompile_headers target kind)
    if(NOT LBSCOPE_PCH)
        return()
    endif()
    set(scope ${kind})
    if(kind MATCHES "^TEST_")
        set(scope "${kind}_${CMAKE_CURRENT_SOURCE_DIR}")
    endif()
    string(MAKE_C_IDENTIFIER "LBSCOPE_PCH_HOST_${scope}" key)
    get_property(host GLOBAL PROPERTY ${key})
    if(host)
        target_precompile_headers(${target} REUSE_FROM ${host})
    else()
        target_precompile_headers(${target} PRIVATE ${LBSCOPE_PCH_${kind}})
        set_property(GLOBAL PROPERTY ${key} ${target})
    endif()
endfunction()
