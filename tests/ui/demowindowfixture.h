#pragma once

#include "configdocument.h"
#include "demopoolfixture.h"
#include "mainwindow.h"

#include <QTest>

#include <memory>

namespace lbscope::test {

// The whole window on the pool, shown at the size of a projector's 1280x720.
class DemoWindowFixture
{
public:
    bool open(const QList<int> &weights = {1, 1, 1})
    {
        if (!m_pool.start({}, weights))
            return false;
        m_document = std::make_unique<ConfigDocument>(m_pool.engine());
        m_window = std::make_unique<MainWindow>(m_pool.engine(), *m_document);
        m_window->resize(1280, 720);
        m_window->show();
        return QTest::qWaitForWindowExposed(m_window.get());
    }

    DemoPoolFixture &pool() { return m_pool; }
    MainWindow &window() { return *m_window; }

private:
    DemoPoolFixture m_pool;
    std::unique_ptr<ConfigDocument> m_document;
    std::unique_ptr<MainWindow> m_window;
};

} // namespace lbscope::test
