/*
 * class_agent.c -- users of a popular coding agent ("kodo-cli").
 *
 * Thousands of unrelated developers run the same agent with their own API
 * keys, so thousands of accounts send the *same* long system prompt and the
 * same tool schema, byte for byte, in fast synchronous loops of tool calls,
 * and all of them move to a new model the day the agent's update ships.  By
 * "shared template + machine pacing + fast pivot" they look like a campaign;
 * by who they are (ordinary people, own cards, home and office addresses,
 * work-hours sessions that start and stop) they are not.  A detector that
 * blocks them has broken a product.
 */
#include <stdio.h>
#include <string.h>

#include "sim/actor.h"
#include "sim/clock.h"
#include "sim/pacing.h"
#include "sim/text.h"

static const char agent_system_v23[] =
    "You are Kodo, an interactive CLI coding agent. You help users with software engineering tasks: "
    "fixing bugs, adding features, refactoring, explaining code. Use the tools available to you to read "
    "and modify files and to run commands.\n\n"
    "# Tone\nBe concise and direct. Answer in fewer than 4 lines unless the user asks for detail. Do not add "
    "preamble or postamble. Never use emojis unless asked.\n\n"
    "# Proactiveness\nDo what was asked, nothing more. Never commit changes unless the user explicitly asks.\n\n"
    "# Conventions\nWhen editing a file, first read it and follow its conventions: style, naming, libraries. "
    "Never assume a library is available; check package.json, requirements.txt or Cargo.toml first. Never "
    "introduce code that exposes or logs secrets.\n\n"
    "# Doing tasks\n1. Search the codebase to understand it. 2. Implement the solution using the tools. "
    "3. Verify with the project's tests; find the test command in the README or package scripts. 4. Run "
    "the linter and type checker if available.\n\n"
    "# Tool use\nPrefer the search tool over running grep through the shell. Batch independent tool calls. "
    "Paths passed to tools must be absolute.\n";

static const char agent_system_v24[] =
    "You are Kodo, an interactive CLI coding agent. You help users with software engineering tasks: "
    "fixing bugs, adding features, refactoring, explaining code. Use the tools available to you to read "
    "and modify files and to run commands.\n\n"
    "# Tone\nBe concise and direct. Answer in fewer than 4 lines unless the user asks for detail. Do not add "
    "preamble or postamble. Never use emojis unless asked.\n\n"
    "# Proactiveness\nDo what was asked, nothing more. Never commit changes unless the user explicitly asks. "
    "If the request is ambiguous, ask one clarifying question.\n\n"
    "# Conventions\nWhen editing a file, first read it and follow its conventions: style, naming, libraries. "
    "Never assume a library is available; check package.json, requirements.txt or Cargo.toml first. Never "
    "introduce code that exposes or logs secrets.\n\n"
    "# Doing tasks\n1. Plan with the todo tool for tasks of more than three steps. 2. Search the codebase to "
    "understand it. 3. Implement the solution using the tools. 4. Verify with the project's tests. 5. Run "
    "the linter and type checker if available.\n\n"
    "# Tool use\nPrefer the search tool over running grep through the shell. Batch independent tool calls. "
    "Paths passed to tools must be absolute.\n\n# Environment\nPlatform and working directory are given in "
    "the first user message.\n";

static const char agent_tools[] =
    "[{\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"description\":\"Read a file from the local "
    "filesystem. Returns numbered lines.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":"
    "\"string\",\"description\":\"Absolute path\"},\"offset\":{\"type\":\"integer\"},\"limit\":{\"type\":\"integer\"}},"
    "\"required\":[\"path\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"edit_file\",\"description\":\"Replace an exact string in a file. "
    "The old string must be unique.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
    "\"old_string\":{\"type\":\"string\"},\"new_string\":{\"type\":\"string\"}},\"required\":[\"path\",\"old_string\","
    "\"new_string\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"write_file\",\"description\":\"Create or overwrite a file.\","
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},\"content\":{\"type\":\"string\"}},"
    "\"required\":[\"path\",\"content\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"run_shell\",\"description\":\"Run a shell command in the project "
    "directory with a timeout.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"},"
    "\"timeout_ms\":{\"type\":\"integer\"}},\"required\":[\"command\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"search\",\"description\":\"Search file contents with a regular "
    "expression.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":\"string\"},\"glob\":{\"type\":"
    "\"string\"}},\"required\":[\"pattern\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"todo\",\"description\":\"Maintain a short task list.\","
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
    "\"required\":[\"items\"]}}}]";

static void agent_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    for (int i = 0; i < k->per_group; i++) {
        dws_account *a = dws_world_add_account(w, cls, 0, i);
        dws_rng r;
        dws_rng_seed(&r, a->seed);
        dws_acct_person(w, a, &r, -1);
        dws_sdk_family(&r, DWS_SDK_AGENT, &a->sdk);
        a->rate = k->rpd * dws_rng_lognormal(&r, 1.0, 0.7) / 1.28;
        a->active = 0.45 + 0.4 * dws_rng_unif(&r);
        a->verified = dws_rng_chance(&r, 0.6);
        a->mobile = 0;
    }
}

static void emit(dws_world *w, uint32_t acct, dws_rng *r, int64_t ts, uint64_t conv, int turn, void *ud)
{
    dws_event e = {.ts = ts, .conv = conv, .acct = acct, .turn = (uint16_t)turn};
    dws_world_push(w, &e);
}

static void agent_schedule(dws_world *w, uint32_t acct)
{
    /* One agent task is one conversation: a burst of tool-call turns a few
     * seconds apart (the model's latency plus the tool's run time). */
    const dws_account *a = &w->acc[acct];
    dws_human_cfg cfg = {(a->seed & 3) ? DWS_DIURNAL_WORK : DWS_DIURNAL_CASUAL, 30, 7, 0.7, 12, 0.3};
    dws_human_schedule(w, acct, &cfg, 0, emit, NULL);
}

static void agent_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r;
    dws_rng_derive(&r, e->conv, 0xA6, e->turn);
    /* The 2.4 release picks the new model as default, shipped ~20h after the
     * model launch; users on older versions keep the old default. */
    bool v24 = a->sdk.ver >= 1;
    bool updated = a->sdk.ver == 2 && e->ts >= w->release_ms + 20 * DWS_MS_PER_HOUR;
    q->model = updated ? (dws_rng_chance(&r, 0.85) ? DWS_M_NEW : DWS_M_LARGE) : DWS_M_LARGE;
    q->stream = true;
    q->max_tokens = 8192;
    q->temperature = 0;
    q->sdk = a->sdk;
    dw_buf_puts(&q->sys, v24 ? agent_system_v24 : agent_system_v23);
    dw_buf_puts(&q->tools, agent_tools);
    dws_rng tr;
    dws_rng_derive(&tr, e->conv, 0x7A5C, 0);
    dw_buf *u = dws_req_msg(q, "user");
    dw_buf_printf(u, "<env>cwd: /home/%s/src/%s  platform: %s</env>\n", dws_text_name(&tr), dws_text_word(&tr),
                  a->sdk.os == 1 ? "darwin" : a->sdk.os == 2 ? "win32" : "linux");
    dws_text_agent_task(&tr, u);
    /* earlier rounds: tool call and its result (the last few only) */
    static const char *const tools[] = {"read_file", "search", "run_shell", "edit_file", "read_file"};
    int from = e->turn > 3 ? e->turn - 3 : 0;
    for (int t = from; t < e->turn; t++) {
        dws_rng hr;
        dws_rng_derive(&hr, e->conv, 0x7A5D, (uint64_t)t);
        char id[24];
        char hex[17];
        dws_hex(hex, dws_rng_u64(&hr), 12);
        snprintf(id, sizeof id, "call_%s", hex);
        dws_req_msg(q, "assistant");
        dws_msg *m = &q->msgs[q->nmsg - 1];
        dw_buf_printf(&m->tool_calls, "[{\"id\":\"%s\",\"type\":\"function\",\"function\":{\"name\":\"%s\","
                                      "\"arguments\":\"{\\\"path\\\":\\\"/src/%s.ts\\\"}\"}}]",
                      id, DWS_PICK(&hr, tools), dws_text_word(&hr));
        dw_buf *res = dws_req_msg(q, "tool");
        snprintf(q->msgs[q->nmsg - 1].tool_call_id, sizeof q->msgs[0].tool_call_id, "%s", id);
        dws_text_tool_output(&hr, res);
    }
    /* this turn: mostly another tool call, sometimes the final summary */
    if (dws_rng_chance(&r, 0.8)) {
        char hex[17];
        dws_hex(hex, dws_rng_u64(&r), 12);
        dw_buf_printf(&q->resp_tool_calls, "[{\"id\":\"call_%s\",\"type\":\"function\",\"function\":{\"name\":\"%s\","
                                           "\"arguments\":\"{\\\"path\\\":\\\"/src/%s.ts\\\"}\"}}]",
                      hex, DWS_PICK(&r, tools), dws_text_word(&r));
        q->finish = "tool_calls";
        q->completion_tokens = dws_gen_tokens(w, &r, 1, 2.0);
        if (dws_model_reasons(q->model)) dws_text_reasoning(&r, &q->reasoning, 300, DWS_L_EN);
    } else {
        dws_respond(w, &r, q, DWS_T_CODING, DWS_L_EN, NULL, 1.0);
    }
    q->key = 0;
    dws_person_ip(w, a, e, &r, &q->ip);
}

const dws_class_impl dws_impl_coding_agent = {agent_populate, agent_schedule, agent_compose};
