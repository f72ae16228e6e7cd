package org.pshmem.spi;

/**
 * How {@code set()} forwards a block among the node leaders (the ranks with the writer's node-rank, one per
 * node): the plan that both the API's replication and the benchmark's report use, a pure function of the node
 * count and the block's chunk count.
 *
 * <p>Leaders are numbered relative to the writer's node ({@code (nodeIndex - rootIndex) mod nodes}, 0 being
 * the writer). Each leader receives each message from its parent, sends it on to each of its children in turn,
 * then copies it into its node's memory; the messages are the block's header then its chunks, in order. Two
 * shapes are considered: a chain (fan-out 1: leader {@code r} feeds {@code r + 1}), where every leader sends
 * the block once and a chunk reaches the last node {@code nodes - 2} steps after it left the root; and a
 * binary tree (fan-out 2: leader {@code r} feeds {@code 2r + 1} and {@code 2r + 2}), where an inner leader
 * sends the block twice and the depth is {@code log2(nodes)}. The plan takes the one that needs fewer
 * sequential message steps (the chain on a tie, as it sends less), so the busiest rank sends at most two
 * blocks for any node count.
 *
 * <p>A step is the time of one chunk's message: a rank sends one message at a time, and a message can be
 * forwarded once it has arrived ({@link #steps()} is the length of the longest chain of such messages, as a
 * Lamport clock that ticks on every send counts it). The header, a few longs, goes just ahead of the first
 * chunk on every hop and is counted with it; on the wire it is one more message,
 * {@code steps(nodes, chunks + 1, fanOut)}.
 *
 * @param nodes   number of nodes, at least 1.
 * @param chunks  number of chunks of the block, at least 0.
 * @param fanOut  1 for the chain, 2 for the binary tree.
 * @param steps   sequential message steps until the last chunk has reached the last node; 0 on one node.
 */
public record SetForwarding(int nodes, int chunks, int fanOut, long steps)
{
    /**
     * Plans the forwarding of a block of {@code chunks} chunks to {@code nodes} nodes.
     *
     * @param nodes  number of nodes, at least 1.
     * @param chunks number of chunks of the block, at least 0.
     * @return the plan with the fewer steps.
     */
    public static SetForwarding plan(final int nodes, final int chunks)
    {
        if (nodes < 1 || chunks < 0)
        {
            throw new IllegalArgumentException("SetForwarding: " + nodes + " nodes and " + chunks + " chunks");
        }
        final int messages = Math.max(1, chunks);
        final long chain = steps(nodes, messages, 1);
        final long tree = steps(nodes, messages, 2);
        return tree < chain ? new SetForwarding(nodes, chunks, 2, tree) : new SetForwarding(nodes, chunks, 1, chain);
    }

    /**
     * Sequential message steps of a shape, in closed form: the messages leave the root one step apart with one
     * child, two with two; below the root a leader keeps that pace, and the message a leader's {@code c}-th
     * child (1 or 2) gets arrives {@code c} steps after the leader got it.
     *
     * @param nodes    number of nodes, at least 1.
     * @param messages number of messages each leader receives, at least 1.
     * @param fanOut   1 or 2.
     * @return the steps until the last message has reached every node.
     */
    public static long steps(final int nodes, final int messages, final int fanOut)
    {
        if (nodes == 1)
        {
            return 0;
        }
        final int pace = Math.min(fanOut, nodes - 1);
        long deepest = 0;
        final long[] weight = new long[nodes];
        for (int r = 1; r < nodes; r++)
        {
            weight[r] = weight[(r - 1) / fanOut] + 1 + (r - 1) % fanOut;
            deepest = Math.max(deepest, weight[r]);
        }
        return pace * (messages - 1L) + deepest;
    }

    /**
     * Returns the leader that sends this one its messages.
     *
     * @param relative a leader's number relative to the writer's node.
     * @return its parent's relative number, or -1 for the writer's node.
     */
    public int parent(final int relative)
    {
        return relative == 0 ? -1 : (relative - 1) / fanOut;
    }

    /**
     * Returns the first leader this one sends its messages to.
     *
     * @param relative a leader's number relative to the writer's node.
     * @return relative number of its first child; it has {@link #children(int)} of them, consecutive.
     */
    public int firstChild(final int relative)
    {
        return fanOut * relative + 1;
    }

    /**
     * Returns how many leaders this one feeds.
     *
     * @param relative a leader's number relative to the writer's node.
     * @return how many leaders it sends each message to.
     */
    public int children(final int relative)
    {
        return (int)Math.max(0, Math.min(fanOut, nodes - ((long)fanOut * relative + 1)));
    }

    /**
     * Returns the busiest rank's share of the sending.
     *
     * @return how many times the busiest rank sends the block (its bytes sent divided by the block's size).
     */
    public int busiestBlocks()
    {
        return Math.min(fanOut, nodes - 1);
    }

    /**
     * Describes the plan in words.
     *
     * @return one line for reports, such as {@code chain over 4 nodes, 3 chunks: busiest rank sends 1 block,
     * 6 steps}.
     */
    public String describe()
    {
        return (fanOut == 1 ? "chain" : "binary tree") + " over " + nodes + " nodes, " + chunks + " chunk" +
            (chunks == 1 ? "" : "s") + ": busiest rank sends " + busiestBlocks() + " block" +
            (busiestBlocks() == 1 ? "" : "s") + ", " + steps + " step" + (steps == 1 ? "" : "s");
    }
}
