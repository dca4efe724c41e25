#include "stats/peercounters.h"

#include <QTextStream>

using namespace Qt::StringLiterals;

namespace lbscope {

PeerCounterTable::~PeerCounterTable()
{
    for (std::atomic<PeerCounters *> &block : m_blocks)
        delete[] block.load();
}

void PeerCounterTable::ensure(int count)
{
    const int blocks = (count + BlockSize - 1) / BlockSize;
    Q_ASSERT(blocks <= MaxBlocks);
    for (int i = 0; i < std::min(blocks, MaxBlocks); ++i) {
        if (!m_blocks[std::size_t(i)].load())
            m_blocks[std::size_t(i)].store(new PeerCounters[BlockSize]);
    }
}

QString TrafficTotals::summaryTable() const
{
    QString text;
    QTextStream out(&text);
    quint64 picked = 0;
    for (const PeerTotals &peer : peers)
        picked += peer.requests;
    out << qSetFieldWidth(0) << u"%1 requests, %2 client errors\n"_s.arg(requests).arg(clientErrors);
    out << u"%1 %2 %3 %4 %5 %6 %7 %8\n"_s.arg(u"upstream"_s, -10)
               .arg(u"peer"_s, -22)
               .arg(u"requests"_s, 9)
               .arg(u"share"_s, 7)
               .arg(u"2xx"_s, 8)
               .arg(u"4xx"_s, 8)
               .arg(u"5xx"_s, 8)
               .arg(u"failures"_s, 9);
    for (const PeerTotals &peer : peers) {
        const double share = picked ? 100.0 * double(peer.requests) / double(picked) : 0.0;
        out << u"%1 %2 %3 %4 %5 %6 %7 %8\n"_s.arg(peer.upstream, -10)
                   .arg(QString::fromLatin1(peer.peer) + (peer.backup ? u" (backup)"_s : QString()), -22)
                   .arg(peer.requests, 9)
                   .arg(u"%1%"_s.arg(share, 0, 'f', 1), 7)
                   .arg(peer.responses[1], 8)
                   .arg(peer.responses[3], 8)
                   .arg(peer.responses[4], 8)
                   .arg(peer.failures, 9);
    }
    return text;
}

} // namespace lbscope
