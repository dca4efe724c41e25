#pragma once

// How a demo instance behaves: what its Demo instances card sets, what a lesson starts it with
// and what a method comparison's copy of it takes over.

namespace lbscope {

struct DemoKnobs
{
    int delayMs = 0;
    double errorRate = 0.0;
    bool crashed = false; // stopped as a crashed service is: the port refuses

    friend bool operator==(const DemoKnobs &, const DemoKnobs &) = default;
};

} // namespace lbscope
