import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { SCOPES, type Scope } from '../../../core/security/scopes';

export class LoginProviderDto {
  @ApiProperty({ example: 'google' }) name!: string;
  @ApiProperty({ example: 'Google' }) label!: string;
  @ApiProperty({
    example: '/auth/google',
    description: 'Open in the browser (optionally with ?returnTo=<allowed URL>)',
  })
  loginUrl!: string;
}

export class LoginProvidersDto {
  @ApiProperty({ type: [LoginProviderDto], description: 'Configured providers; empty when sign-in is not configured' })
  providers!: LoginProviderDto[];
}

export class MeDto {
  @ApiProperty({ example: '01938c1e-7c4b-7d4a-9a51-3f6c2b1e0a11' }) id!: string;
  @ApiPropertyOptional({ example: 'ada@example.com', nullable: true, type: String }) email!: string | null;
  @ApiProperty({ example: true }) emailVerified!: boolean;
  @ApiPropertyOptional({ example: 'Ada Lovelace', nullable: true, type: String }) name!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) avatarUrl!: string | null;
  @ApiProperty({ example: ['github', 'google'], description: 'Providers linked to this user' }) providers!: string[];
  @ApiProperty({
    example: [],
    description:
      'Linked providers whose tokens the provider no longer honours (refresh refused): sign in with them again',
  })
  reconnectRequired!: string[];
  @ApiProperty({
    enum: SCOPES,
    isArray: true,
    example: ['payments:read', 'payments:write', 'files:read', 'files:write', 'emails:read'],
    description: 'What this user may do (AUTH_USER_SCOPES, plus admin for AUTH_ADMIN_EMAILS)',
  })
  scopes!: Scope[];
}

export class RefreshDto {
  @ApiPropertyOptional({
    description: 'For REST clients (the next one comes back in the answer); browsers send the refresh cookie instead',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  refreshToken?: string;
}

export class TokensDto {
  @ApiProperty({ description: 'Session token (JWT, 15 minutes); also set as an httpOnly cookie' }) accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ example: 900 }) expiresIn!: number;
  @ApiPropertyOptional({ description: 'The next refresh token, only when the old one came in the body' })
  refreshToken?: string;
}

export class IdentityDto {
  @ApiProperty({ example: '01938c1e-7c4b-7d4a-9a51-3f6c2b1e0a12' }) id!: string;
  @ApiProperty({ example: 'github' }) provider!: string;
  @ApiPropertyOptional({ example: 'ada@example.com', nullable: true, type: String }) email!: string | null;
  @ApiProperty({ example: true, description: 'The provider vouches for the address' }) emailVerified!: boolean;
  @ApiProperty({
    enum: ['active', 'reconnect_required'],
    description: '`reconnect_required`: the provider refused the refresh token; sign in with it again',
  })
  status!: 'active' | 'reconnect_required';
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class IdentitiesDto {
  @ApiProperty({ type: [IdentityDto], description: 'Provider identities linked to the signed-in user, oldest first' })
  identities!: IdentityDto[];
}
