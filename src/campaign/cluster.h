/*
 * cluster.h -- splitting a connected component into campaigns.
 *
 * A component of the account graph is everything reachable over judged
 * edges; one wrong edge (a reseller whose end users paste the harness
 * prompt, say) would weld two campaigns, or a campaign and a bystander,
 * into one.  Community detection cuts such bridges: igraph's Leiden
 * algorithm (Traag, Waltman & van Eck 2019), optimizing modularity with a
 * resolution below 1.  Why those choices:
 *
 *  - modularity judges an edge against the degrees of its ends, so an
 *    account links into a community by the *share* of its edges that go
 *    there, which suits a graph whose degrees come from sampling (an
 *    account meets a bounded number of candidates per value, whatever the
 *    size of its campaign) -- the constant Potts model would instead demand
 *    edges to a fixed fraction of the community, which members of a 20,000-
 *    account campaign cannot have;
 *  - at resolution 1, modularity also splits graphs that have no structure
 *    (a sparse random graph has partitions of high modularity), and a
 *    campaign whose members were each compared with a random dozen others
 *    is exactly such a graph.  Merging two parts A and B gains
 *    w_AB - gamma K_A K_B / 2m; parts of one random graph share about as
 *    much weight as chance predicts (w_AB ~ K_A K_B / 2m), two campaigns
 *    joined by a stray edge share almost none, so a resolution of 0.25 keeps
 *    the first together and cuts the second;
 *  - Leiden guarantees connected communities, and with a fixed seed, edges
 *    sorted by account index and vertices in account order it is
 *    deterministic.
 */
#ifndef DW_CAMPAIGN_CLUSTER_H
#define DW_CAMPAIGN_CLUSTER_H

#include <stddef.h>
#include <stdint.h>
#include "campaign/graph.h"

/* Members of the component of `v` (sorted ascending) into *members, and a
 * community label per member (0..k-1, numbered by smallest member) into
 * *labels; both malloc'd.  Returns the member count; *ncomm = k. */
size_t dw_cluster_component(dw_graph *g, uint32_t v, double resolution, uint32_t **members, uint32_t **labels,
                            uint32_t *ncomm);

#endif
