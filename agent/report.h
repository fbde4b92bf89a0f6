#ifndef PW_AGENT_REPORT_H
#define PW_AGENT_REPORT_H
#endif
