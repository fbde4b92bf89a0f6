#include "config.h"
#include "agent/report.h"
