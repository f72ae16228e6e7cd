package org.pshmem.spi;

/**
 * A receive posted with {@link CommEndpoint#receiveLater}: the message may arrive in its array while the rank
 * does other work, and {@link #await()} returns once it has. Awaited once, by the thread that posted it.
 */
@FunctionalInterface
public interface PostedReceive
{
    /**
     * Blocks until the message is in the array the receive was posted with.
     *
     * <p>Memory consistency effects: the sender's writes to the sent elements happen-before the return of this
     * method; the array's elements must not be read or written between posting and this return.
     *
     * @return number of elements received.
     * @throws org.pshmem.api.RankFailedException when the sender failed or left first.
     */
    int await();
}
