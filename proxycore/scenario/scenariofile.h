#pragma once

// Lesson files: NAME.lesson.json (title, description, traffic, demo instance knobs, timed
// steps) beside the pool it names, an nginx .conf read by ConfigReader. Reading checks
// everything a runner would trip over (the pool, the plan, every step against the pool as the
// steps before it leave it), so a file that reads is one that can be played; a file that does
// not is refused with one message that names the file and the field (or FILE:LINE:COLUMN).
// The format is described in the README ("Scenarios").

#include "config/configreader.h"
#include "scenario/scenario.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace lbscope {

struct ScenarioReadResult
{
    std::optional<Scenario> scenario; // empty when error is set
    QString error;
    QList<ConfigMessage> warnings; // the pool's, e.g. directives outside the subset

    bool ok() const { return scenario.has_value(); }
};

class ScenarioFile
{
public:
    static constexpr QLatin1StringView Suffix{".lesson.json"};

    // The lessons that come with LB Scope, as Qt resource paths, in teaching order.
    static QStringList builtInPaths();

    static ScenarioReadResult read(const QString &path);
    // The lesson file's text; fileName names it in messages and locates the pool beside it.
    static ScenarioReadResult readText(const QByteArray &json, const QString &fileName);

    // What is wrong with a scenario (its steps checked against its pool), or an empty string.
    static QString validate(const Scenario &scenario);

    // Writes the lesson to path and its pool beside it (NAME.lesson.json and NAME.conf, the
    // pool's name taken from path); neither file is touched unless the scenario is valid.
    static bool write(const Scenario &scenario, const QString &path, QString *error);
    // The lesson file's JSON for a scenario whose pool is called poolFile.
    static QByteArray toJson(const Scenario &scenario, const QString &poolFile);
    // "lessons/crash.lesson.json" -> "lessons/crash.conf"
    static QString poolPathFor(const QString &lessonPath);
};

} // namespace lbscope
