package org.pshmem.spi;

/**
 * One rank's open session as every transport hands it to the API: the endpoints, the application's arguments,
 * node memory, and what the transport releases when the session closes. The parts are the transport's; this
 * holds them, so that a transport writes only how it starts a rank and what closing gives back.
 */
public final class RankSession implements TransportSession
{
    private final CommEndpoint world;
    private final CommEndpoint self;
    private final String[] applicationArgs;
    private final NodeMemory nodeMemory;
    private final Runnable release;
    private boolean closed;

    /**
     * Holds a rank's open session for the API.
     *
     * @param world           endpoint of all ranks of the job.
     * @param self            endpoint holding this rank alone.
     * @param applicationArgs the application's arguments, with any the launcher added removed; copied.
     * @param nodeMemory      the node memory of this rank.
     * @param release         what the transport gives back as the session closes; run once, by the first close.
     */
    public RankSession(
        final CommEndpoint world,
        final CommEndpoint self,
        final String[] applicationArgs,
        final NodeMemory nodeMemory,
        final Runnable release)
    {
        this.world = world;
        this.self = self;
        this.applicationArgs = null == applicationArgs ? new String[0] : applicationArgs.clone();
        this.nodeMemory = nodeMemory;
        this.release = release;
    }

    @Override
    public CommEndpoint world()
    {
        return world;
    }

    @Override
    public CommEndpoint self()
    {
        return self;
    }

    @Override
    public String[] applicationArgs()
    {
        return applicationArgs.clone();
    }

    @Override
    public NodeMemory nodeMemory()
    {
        return nodeMemory;
    }

    /**
     * Runs the transport's release, the first time only.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            release.run();
        }
    }
}
