package org.pshmem.spi;

/**
 * A way of running ranks and moving data between them, found with {@link java.util.ServiceLoader}.
 * An implementation supplies communication ({@link CommEndpoint}) and node memory ({@link NodeMemory});
 * every algorithm above that (shared arrays, validation, replication) lives in the API and is the same
 * for every transport.
 */
public interface Transport
{
    /**
     * @return short name used to choose this transport, such as {@code local} or {@code mpj}.
     */
    String name();

    /**
     * @return preference when several transports are present and no setting or launcher decides; higher wins.
     */
    int priority();

    /**
     * @param args the arguments {@code main} received.
     * @return true when this rank (process or thread) was started by this transport's own launcher.
     */
    boolean launchedThisRank(String[] args);

    /**
     * @return true when {@link #open(String[])} works in a plain JVM that no launcher started (as one rank).
     */
    boolean runsWithoutLauncher();

    /**
     * Returns the world rank of the calling rank (process or thread) when it has a session of this transport
     * open, so that a second {@code Pshmem.init} is refused whichever transport it would pick.
     *
     * @return the rank with an open session here, or empty.
     */
    java.util.OptionalInt rankWithOpenSession();

    /**
     * Initialises this rank. Called once per rank; the session is closed when the rank finalises.
     *
     * @param args the arguments {@code main} received.
     * @return the open session.
     */
    TransportSession open(String[] args);
}
