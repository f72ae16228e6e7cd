package org.pshmem.spi;

/**
 * One rank's view of an initialised transport. Owned by the API's runtime object, which closes it.
 */
public interface TransportSession extends AutoCloseable
{
    /**
     * Returns the failure of opening a second session on a rank that has one open: a second world would
     * silently number collectives and arrays apart from the first.
     *
     * @param worldRank the rank, or -1 while it is not known yet.
     * @return the failure a transport throws from {@code open} while this rank's session is open.
     */
    static IllegalStateException alreadyOpen(final int worldRank)
    {
        return new IllegalStateException("Pshmem.init() on " + (worldRank < 0 ? "this rank" : "rank " + worldRank) +
            ": this rank already has an " +
            "open session; close it first (Pshmem is AutoCloseable), or pass its world() to the code that " +
            "needs a communicator");
    }

    /**
     * @return endpoint of all ranks of the job.
     */
    CommEndpoint world();

    /**
     * @return endpoint holding this rank alone; creating it involves no other rank.
     */
    CommEndpoint self();

    /**
     * @return the application's arguments, with any the launcher added removed.
     */
    String[] applicationArgs();

    /**
     * @return the node memory of this rank.
     */
    NodeMemory nodeMemory();

    /**
     * Finalises this rank's use of the transport.
     */
    @Override
    void close();
}
