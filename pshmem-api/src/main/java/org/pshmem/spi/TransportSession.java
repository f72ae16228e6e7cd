package org.pshmem.spi;

/**
 * One rank's view of an initialised transport. Owned by the API's runtime object, which closes it.
 */
public interface TransportSession extends AutoCloseable
{
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
