package org.pshmem.api;

/**
 * The two communicators a {@link SharedArray} uses: the ranks of one node, which share one copy of the
 * memory, and the ranks with the same node-rank on every node, over which {@code set()} replicates data.
 * Arrays made without a {@code NodeGroups} split their own; pass one to reuse the splits across many
 * arrays or to choose the grouping yourself.
 *
 * <p>{@code split} is collective over its communicator, and so is closing the pair it returns (which frees its
 * two communicators); {@code of} and the accessors are local.
 */
public final class NodeGroups implements AutoCloseable
{
    private final Communicator node;
    private final Communicator nodeRank;
    private final boolean owned;

    private NodeGroups(final Communicator node, final Communicator nodeRank, final boolean owned)
    {
        this.node = node;
        this.nodeRank = nodeRank;
        this.owned = owned;
    }

    /**
     * Uses communicators the caller made and keeps owning. {@code SharedArray} creation checks that the node
     * communicator's size divides the array communicator's size and that the node-rank communicator has
     * one rank per node.
     *
     * @param node     the ranks of this node (they must be able to share memory).
     * @param nodeRank the ranks with this rank's node-rank, one per node, ordered by node.
     * @return the pair.
     */
    public static NodeGroups of(final Communicator node, final Communicator nodeRank)
    {
        if (null == node || null == nodeRank)
        {
            throw new IllegalArgumentException("NodeGroups.of(): node and nodeRank communicators must not be null");
        }
        return new NodeGroups(node, nodeRank, false);
    }

    /**
     * Collective over {@code comm}: splits it by node, then by node-rank. The result owns both
     * communicators and frees them on {@link #close()}.
     *
     * @param comm the communicator arrays will be created over.
     * @return the pair.
     */
    public static NodeGroups split(final Communicator comm)
    {
        final Communicator node = comm.splitByNode();
        final Communicator nodeRank = comm.split(node.rank(), comm.rank());
        return new NodeGroups(node, nodeRank, true);
    }

    /**
     * Returns the ranks of this node.
     *
     * @return the ranks of this node.
     */
    public Communicator node()
    {
        return node;
    }

    /**
     * Returns the ranks with this rank's node-rank, one per node.
     *
     * @return the ranks with this rank's node-rank, one per node.
     */
    public Communicator nodeRank()
    {
        return nodeRank;
    }

    /**
     * Frees the communicators if {@link #split(Communicator)} made them; local and idempotent.
     */
    @Override
    public void close()
    {
        if (owned)
        {
            nodeRank.close();
            node.close();
        }
    }
}
