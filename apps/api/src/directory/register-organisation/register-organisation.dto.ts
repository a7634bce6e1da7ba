import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Length, Matches } from 'class-validator';
import { NotBlank, Omittable, SafeText } from '@access-ledger/platform';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export class RegisterOrganisationDto {
  @ApiProperty({ example: 'Hollybrook Surgery', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @NotBlank()
  @SafeText()
  name!: string;

  @ApiPropertyOptional({ example: ['nhs.net'], description: 'When given, users’ e-mail addresses must be in one of these domains.' })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(DOMAIN, { each: true, message: 'each of emailDomains must be a domain name such as nhs.net' })
  emailDomains?: string[];
}
