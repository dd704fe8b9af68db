/* commands.h -- the CLI's command table. */
#ifndef DW_COMMANDS_H
#define DW_COMMANDS_H

typedef struct dw_command {
    const char *name;
    int (*run)(int argc, char **argv);
} dw_command;

extern const dw_command dw_commands[];

int dw_cmd_scan(int argc, char **argv);
int dw_cmd_wm(int argc, char **argv);
int dw_cmd_attribute(int argc, char **argv);
int dw_cmd_serve(int argc, char **argv);
int dw_cmd_keyid(int argc, char **argv);

#endif
