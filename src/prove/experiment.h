/*
 * experiment.h -- the end-to-end radioactivity experiment.
 *
 * Kept as a library entry point (not CLI code) so that the whole chain --
 * teacher, watermarked sampling, students, the closed-model test and the
 * null-key study -- is built from the same functions a provider would use,
 * and so that `distillwatch wm experiment` stays a one-line dispatch.  The
 * design and the measured figures are in docs/provenance.md; experiment.c
 * explains the steps.
 */
#ifndef DW_PROVE_EXPERIMENT_H
#define DW_PROVE_EXPERIMENT_H

/* `distillwatch wm experiment ...`; argv[0] is "experiment".  Exit status 0
 * when every watermarked student is flagged (p < 1e-6) and no control is;
 * 3 when that fails; 77 when ../shared is missing; 1/2 on errors. */
int dw_wm_experiment_main(int argc, char **argv);

#endif
