-- Uploads stored in parts while they stream in.
CREATE TABLE "UploadPart" (
    "artifactId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    CONSTRAINT "UploadPart_pkey" PRIMARY KEY ("artifactId", "index")
);
ALTER TABLE "UploadPart" ADD CONSTRAINT "UploadPart_artifactId_fkey" FOREIGN KEY ("artifactId") REFERENCES "Artifact"("id") ON DELETE CASCADE ON UPDATE CASCADE;
