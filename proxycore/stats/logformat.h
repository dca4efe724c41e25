#pragma once

// nginx's log_format applied to access records: the format is compiled below
// (variables/logformattemplate.h); this writes, one call per record, the line nginx would write
// for the same request (without the newline).

#include "config/proxyconfig.h"
#include "stats/accesslog.h"
#include "variables/logformattemplate.h"
#include "variables/requestcontext.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace lbscope {

// The record's decisions, one per attempt, joined by "; then " ($lbscope_decision).
QByteArray describeDecisions(const AccessRecord &record);

// What the variables read of a record (views into it: the record must outlive the context).
RequestContext contextOf(const AccessRecord &record);

class LogFormatter
{
public:
    using Escape = LogFormatTemplate::Escape;

    // Errors are worded as nginx words them (LogFormatTemplate::compile).
    // userVariables: the names `set` defines in the configuration (userVariableNames()).
    static std::optional<LogFormatter> compile(const LogFormat &format, QString *error,
                                               const QStringList *userVariables = nullptr);
    // nginx's predefined format.
    static const LogFormatter &combined();

    Escape escape() const { return m_template.escape(); }
    const LogFormatTemplate &compiled() const { return m_template; }
    QByteArray format(const AccessRecord &record) const;
    void appendTo(const AccessRecord &record, QByteArray &out) const;

private:
    void appendEscaped(QByteArrayView value, bool found, QByteArray &out) const;

    LogFormatTemplate m_template;
};

} // namespace lbscope
