package org.pshmem.spi;

/**
 * How launchers deal ranks to simulated nodes: in consecutive blocks, the larger blocks first (7 ranks on
 * 3 nodes: 3, 2, 2).
 */
public final class Blocks
{
    private Blocks()
    {
    }

    /**
     * Returns the node of {@code rank}.
     *
     * @param rank  a rank, from 0 to {@code ranks - 1}.
     * @param ranks number of ranks.
     * @param nodes number of nodes, from 1 to {@code ranks}.
     * @return the node of {@code rank}.
     */
    public static int of(final int rank, final int ranks, final int nodes)
    {
        final int small = ranks / nodes;
        final int large = ranks % nodes;
        final int inLarge = large * (small + 1);
        return rank < inLarge ? rank / (small + 1) : large + (rank - inLarge) / small;
    }
}
