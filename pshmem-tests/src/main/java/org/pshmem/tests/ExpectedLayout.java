package org.pshmem.tests;

import java.util.Arrays;

import org.pshmem.api.Pshmem;

/**
 * The node layout a job was started with, worked out by the test from the layout alone and not by the code
 * under test: {@code ranks} dealt to {@code nodes} nodes in blocks, larger blocks first (3 ranks on 2 nodes:
 * ranks 0 and 1 on node 0, rank 2 on node 1), as {@code --nodes} and MPJ's machines file do. The runner of a
 * scenario passes the node count to every rank as the program argument {@code --expect-nodes=K}.
 */
public final class ExpectedLayout
{
    /** Program argument that carries the expected node count. */
    public static final String ARG = "--expect-nodes=";

    private final int ranks;
    private final int nodes;

    private ExpectedLayout(final int ranks, final int nodes)
    {
        if (nodes < 1 || nodes > ranks)
        {
            throw new AssertionError("expected " + nodes + " nodes for " + ranks + " ranks: not a layout");
        }
        this.ranks = ranks;
        this.nodes = nodes;
    }

    /**
     * @param nodes the expected node count.
     * @return the program argument that tells the ranks.
     */
    public static String arg(final int nodes)
    {
        return ARG + nodes;
    }

    /**
     * @param ranks ranks of the job.
     * @param nodes nodes of the job.
     * @return the layout.
     */
    public static ExpectedLayout of(final int ranks, final int nodes)
    {
        return new ExpectedLayout(ranks, nodes);
    }

    /**
     * @param pshmem this rank's runtime, whose program arguments hold {@link #ARG}.
     * @return the layout of the world.
     * @throws AssertionError when the runner did not say how many nodes to expect.
     */
    public static ExpectedLayout of(final Pshmem pshmem)
    {
        final String given = Arrays.stream(pshmem.args()).filter(arg -> arg.startsWith(ARG)).findFirst()
            .orElseThrow(() -> new AssertionError("the job did not say how many nodes to expect: its program " +
                "arguments " + Arrays.toString(pshmem.args()) + " lack " + ARG + "K"));
        return new ExpectedLayout(pshmem.world().size(), Integer.parseInt(given.substring(ARG.length())));
    }

    /**
     * @return the number of ranks.
     */
    public int ranks()
    {
        return ranks;
    }

    /**
     * @return the number of nodes.
     */
    public int nodes()
    {
        return nodes;
    }

    /**
     * @param node a node index.
     * @return the number of ranks on it.
     */
    public int nodeSize(final int node)
    {
        return ranks / nodes + (node < ranks % nodes ? 1 : 0);
    }

    /**
     * @param rank a world rank.
     * @return the index of its node.
     */
    public int nodeOf(final int rank)
    {
        int first = 0;
        for (int node = 0; node < nodes; node++)
        {
            first += nodeSize(node);
            if (rank < first)
            {
                return node;
            }
        }
        throw new AssertionError("rank " + rank + " is outside a job of " + ranks + " ranks");
    }

    /**
     * @param rank a world rank.
     * @return its rank inside its node.
     */
    public int nodeRankOf(final int rank)
    {
        int first = 0;
        for (int node = 0; node < nodeOf(rank); node++)
        {
            first += nodeSize(node);
        }
        return rank - first;
    }

    /**
     * @param rank a world rank.
     * @return true when its node-rank exists on every node, so it may write an array of the world.
     */
    public boolean canWrite(final int rank)
    {
        return nodeRankOf(rank) < nodeSize(nodes - 1);
    }

    @Override
    public String toString()
    {
        final int[] sizes = new int[nodes];
        Arrays.setAll(sizes, this::nodeSize);
        return ranks + " ranks on " + nodes + " nodes of " + Arrays.toString(sizes);
    }
}
