package ai.bayeslora.spark;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system for the scheme {@value #SCHEME}: {@code testfs:///abs/path} is the local file /abs/path. It
 * stands in for HDFS or S3 (a scheme other than {@code file}) and counts the files opened for reading.
 */
public class TestSchemeFileSystem extends RawLocalFileSystem {
    /** The scheme. */
    static final String SCHEME = "testfs";
    /** Files opened for reading since the JVM started. */
    static final AtomicInteger OPENED = new AtomicInteger();

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public void initialize(URI uri, Configuration conf) throws IOException {
        super.initialize(getUri(), conf);
    }

    /** Statuses without the local file system's lazy permission lookup, which needs a file: URI. */
    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return plain(super.getFileStatus(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        FileStatus[] all = super.listStatus(f);
        FileStatus[] out = new FileStatus[all.length];
        for (int i = 0; i < all.length; i++) {
            out[i] = plain(all[i]);
        }
        return out;
    }

    private static FileStatus plain(FileStatus s) {
        return new FileStatus(s.getLen(), s.isDirectory(), 1, s.getBlockSize(), s.getModificationTime(), s.getPath());
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        OPENED.incrementAndGet();
        return super.open(f, bufferSize);
    }
}
